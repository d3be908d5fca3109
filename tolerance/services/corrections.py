"""Error correction (TOL-16, TOL-17): issue the order, report progress per item, request and
decide extensions (kept in history), complete."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.documents.services import document_number_allocate
from xian_enforcement.notices import services as notices
from xian_enforcement.notices.models import Deadline
from xian_enforcement.org.choices import Role

from .. import access
from ..choices import CorrectionStatus, ExtensionStatus, ItemStatus
from ..conf import rule
from ..models import CorrectionItem, CorrectionOrder, ExtensionRequest
from ._common import full_clean, refuse

CORRECTION_KIND = "tol17_correction"
# The order's number: the unit's own sequence per year of issue (纠错〔2026〕1号); a draft has none.
DOCUMENT_KIND = "tolerance_correction"
DOCUMENT_WORD = "纠错"


def _locked(order: CorrectionOrder) -> CorrectionOrder:
    return (
        CorrectionOrder.objects.select_for_update()
        .select_related("decision__application__officer__user", "decision__application__department")
        .get(pk=order.pk)
    )


def _remind_days(start: datetime.date, due: datetime.date) -> list[int]:
    days = (due - start).days
    before = rule("TOL_17_REMIND_BEFORE_DAYS")
    return [days - before] if days - before > 0 else []


def _open_deadline(order: CorrectionOrder) -> None:
    application = order.decision.application
    notices.deadline_open(
        subject=order,
        kind=CORRECTION_KIND,
        rule_id="TOL-17",
        title=_("纠错整改：%(n)s") % {"n": order.number},
        start_date=order.issued_on,
        days=(order.due_date - order.issued_on).days,
        remind_days=_remind_days(order.issued_on, order.due_date),
        department=application.department,
        assignee=application.officer.user,
        escalate_roles=[Role.LEGAL_HEAD, Role.UNIT_HEAD],
        url=reverse("tolerance:correction", args=[order.pk]),
    )


@transaction.atomic
def correction_issue(
    *, order: CorrectionOrder, by_user, reasons: str, requirements: str, items: list[str], due_date: datetime.date
) -> CorrectionOrder:
    """TOL-17: the unit issues the order with reasons, items, requirements and a deadline
    (draft → issued). The subject is notified; the deadline reminds before and flags after."""
    order = _locked(order)
    application = order.decision.application
    if not access.can_issue_correction(by_user, application):
        if access.is_concerned(by_user, application):
            refuse(_("整改对象本人不能下达本人的纠错整改通知。"), rule_id="TOL-17")
        refuse(_("只有当事人所在单位的法制机构、执法机构负责人或党组成员可以下达纠错整改通知。"), rule_id="TOL-17")
    if order.status != CorrectionStatus.DRAFT:
        refuse(_("纠错整改通知已下达。"), rule_id="TOL-17")
    items = [i.strip() for i in items if i and i.strip()]
    if not reasons.strip():
        refuse(_("请写明纠错原因。"), rule_id="TOL-17", field="reasons")
    if not items:
        refuse(_("请至少列出一项整改事项。"), rule_id="TOL-17", field="items")
    if not requirements.strip():
        refuse(_("请写明整改要求。"), rule_id="TOL-17", field="requirements")
    today = timezone.localdate()
    if due_date is None or due_date <= today:
        refuse(_("整改期限须晚于今天。"), rule_id="TOL-17", field="due_date")
    order.reasons, order.requirements, order.due_date = reasons, requirements, due_date
    order.issued_on, order.issued_by, order.status = today, by_user, CorrectionStatus.ISSUED
    full_clean(order, exclude=["decision"])
    order.document_number = document_number_allocate(
        department=application.department, year=today.year, kind=DOCUMENT_KIND, word=DOCUMENT_WORD
    ).text
    order.save()
    CorrectionItem.objects.bulk_create([CorrectionItem(order=order, text=t[:300]) for t in items])
    _open_deadline(order)
    notices.notify(
        recipient=application.officer.user,
        title=_("纠错整改通知：%(n)s，期限 %(d)s") % {"n": order.number, "d": due_date.isoformat()},
        body=requirements[:500],
        url=reverse("tolerance:correction", args=[order.pk]),
        rule_id="TOL-17",
        dedupe_key=f"tol17:issued:{order.pk}",
    )
    return order


@transaction.atomic
def correction_item_report(*, item: CorrectionItem, by_user, status: str, progress: str) -> CorrectionItem:
    """The subject reports progress on one item; when every item is done the order completes
    and its deadline is met."""
    order = _locked(item.order)
    if not access.is_subject(by_user, order.decision.application):
        refuse(_("只有整改对象本人可以报告整改进展。"), rule_id="TOL-17")
    if order.status != CorrectionStatus.ISSUED:
        refuse(_("整改通知不在整改中，不能报告进展。"), rule_id="TOL-17")
    if status not in ItemStatus.values:
        refuse(_("状态无效。"), field="status")
    if not progress.strip():
        refuse(_("请填写整改进展。"), rule_id="TOL-17", field="progress")
    item = CorrectionItem.objects.select_for_update().get(pk=item.pk, order=order)
    item.status, item.progress = status, progress
    full_clean(item, exclude=["order"])
    item.save()
    if not order.items.exclude(status=ItemStatus.DONE).exists():
        order.status, order.completed_on = CorrectionStatus.COMPLETED, timezone.localdate()
        order.save(update_fields=["status", "completed_on"])
        notices.deadline_meet(subject=order, kind=CORRECTION_KIND)
    return item


@transaction.atomic
def extension_request(
    *, order: CorrectionOrder, by_user, requested_due: datetime.date, reason: str
) -> ExtensionRequest:
    """TOL-17: the subject may apply for an extension, with a reason."""
    order = _locked(order)
    if not access.is_subject(by_user, order.decision.application):
        refuse(_("只有整改对象本人可以申请延期。"), rule_id="TOL-17")
    if order.status != CorrectionStatus.ISSUED:
        refuse(_("整改通知不在整改中，不能申请延期。"), rule_id="TOL-17")
    if order.extensions.filter(status=ExtensionStatus.PENDING).exists():
        refuse(_("已有一项延期申请待审批。"), rule_id="TOL-17")
    if not reason.strip():
        refuse(_("请写明延期理由。"), rule_id="TOL-17", field="reason")
    if requested_due is None or requested_due <= order.due_date:
        refuse(_("申请延长至的日期须晚于现在的整改期限。"), rule_id="TOL-17", field="requested_due")
    request = ExtensionRequest(order=order, requested_due=requested_due, reason=reason, requested_by=by_user)
    full_clean(request, exclude=["order"])
    request.save()
    return request


@transaction.atomic
def extension_decide(*, request: ExtensionRequest, by_user, approve: bool, note: str = "") -> ExtensionRequest:
    """TOL-17: the issuing unit approves (new deadline, old one kept in history, reminders and
    overdue flag recomputed for the new date) or refuses."""
    order = _locked(request.order)
    application = order.decision.application
    if not access.can_issue_correction(by_user, application):
        if access.is_concerned(by_user, application):
            refuse(_("整改对象本人不能审批本人的延期申请。"), rule_id="TOL-17")
        refuse(_("只有下达整改通知的单位（法制机构负责人、执法机构负责人或党组成员）可以审批延期。"), rule_id="TOL-17")
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk, order=order)
    if request.status != ExtensionStatus.PENDING:
        refuse(_("该延期申请已审批。"), rule_id="TOL-17")
    if not approve and not note.strip():
        refuse(_("不予批准须说明理由。"), rule_id="TOL-17", field="note")
    request.old_due = order.due_date
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    request.decided_by, request.decided_at, request.decision_note = by_user, timezone.now(), note[:300]
    request.save()
    if approve:
        deadline = Deadline.objects.get(kind=CORRECTION_KIND, object_id=order.pk, content_type__model="correctionorder")
        # The reminder is "N days before the deadline": set it anew for the new date.
        notices.deadline_extend(
            deadline=deadline,
            new_due_date=request.requested_due,
            reason=request.reason[:300],
            granted_by=by_user,
            remind_days=_remind_days(order.issued_on, request.requested_due),
        )
        order.due_date = request.requested_due
        order.save(update_fields=["due_date"])
    notices.notify(
        recipient=application.officer.user,
        title=(_("延期申请已批准，整改期限延至 %(d)s") if approve else _("延期申请不予批准（整改期限仍为 %(d)s）"))
        % {"d": order.due_date.isoformat()},
        body=note,
        url=reverse("tolerance:correction", args=[order.pk]),
        rule_id="TOL-17",
        dedupe_key=f"tol17:ext:{request.pk}",
    )
    return request
