"""Decisions (TOL-3, TOL-10 … TOL-14a), notification within 7 days (TOL-14c), publication
(TOL-14d) and closing (TOL-16)."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.documents.services import document_number_allocate
from xian_enforcement.errors import DomainError
from xian_enforcement.notices import services as notices
from xian_enforcement.org.choices import Role
from xian_enforcement.org.models import Officer

from .. import access
from ..catalogue import Kind
from ..choices import (
    ApplicationStatus,
    CorrectionStatus,
    NoticeRecipientKind,
    Outcome,
    PublicationScope,
)
from ..conf import rule
from ..models import Application, CorrectionOrder, Decision, DecisionNotice
from ._common import check_state, full_clean, locked, record, refuse

NOTIFY_KIND = "tol14c_notify"
# The decision document's number: the unit's own sequence per year (容认〔2026〕3号).
DOCUMENT_KIND = "tolerance_decision"
DOCUMENT_WORD = "容认"
ANALYSIS_FIELDS = ("subjective", "objective", "procedure", "nature", "consequences", "recovery")
DECISION_FIELDS = (
    "facts",
    "legal_basis",
    *ANALYSIS_FIELDS,
    "c1",
    "c1_reason",
    "c2",
    "c2_reason",
    "c3",
    "c3_reason",
    "veto",
    "veto_reason",
    "outcome",
    "publication_scope",
    "published_on",
)
# Who receives a unit's notice (TOL-14c): its legal office and its heads.
UNIT_RECIPIENT_ROLES = (Role.LEGAL_HEAD, Role.UNIT_HEAD)


def allowed_outcomes(*, accepted_kinds: set[str], veto: bool, conditions: bool) -> list[str]:
    """The outcomes the rules permit (TOL-10 … TOL-13):

    - TOL-13 affirmed → only 不予容错, whatever else is cited;
    - an Art. 10 circumstance (履职尽责) → 免责;
    - an Art. 11 circumstance → 免责 only with all three conditions affirmed with reasons
      (TOL-11.C1–C3), otherwise 从轻/减轻;
    - an Art. 12 circumstance → 从轻/减轻;
    - 不予容错 is always possible (except when Art. 10 applies, which says 应当认定为履职尽责)."""
    if veto:
        return [Outcome.NOT_TOLERATED]
    if Kind.DUTY_PERFORMED in accepted_kinds:
        return [Outcome.EXEMPT]
    allowed = []
    if Kind.TOLERANCE in accepted_kinds and conditions:
        allowed.append(Outcome.EXEMPT)
    if accepted_kinds & {Kind.TOLERANCE, Kind.MITIGATION}:
        allowed.append(Outcome.MITIGATED)
    allowed.append(Outcome.NOT_TOLERATED)
    return allowed


def _check_outcome(decision: Decision, accepted) -> None:
    kinds = {c.kind for c in accepted}
    conditions = all(getattr(decision, f"c{i}") and getattr(decision, f"c{i}_reason").strip() for i in (1, 2, 3))
    if decision.veto and not decision.veto_reason.strip():
        refuse(_("认定违反法定职责范围或法定程序的，须写明理由。"), rule_id="TOL-13", field="veto_reason")
    for i in (1, 2, 3):
        if getattr(decision, f"c{i}") and not getattr(decision, f"c{i}_reason").strip():
            refuse(_("免责条件（%(i)s）须写明理由。") % {"i": i}, rule_id="TOL-11", field=f"c{i}_reason")
    allowed = allowed_outcomes(accepted_kinds=kinds, veto=decision.veto, conditions=conditions)
    if decision.outcome in allowed:
        return
    if decision.veto:
        refuse(
            _("已认定违反法定的职责范围或法定程序（第十三条），结论只能是“不予容错”。"),
            rule_id="TOL-13",
            field="outcome",
        )
    if Kind.DUTY_PERFORMED in kinds:
        refuse(_("认定了第十条履职尽责情形的，应当予以免责。"), rule_id="TOL-10", field="outcome")
    if decision.outcome == Outcome.EXEMPT and Kind.TOLERANCE in kinds:
        refuse(
            _("依第十一条予以免责，须同时符合三项免责条件并逐项写明理由；否则只能从轻、减轻处理。"),
            rule_id="TOL-11",
            field="outcome",
        )
    if decision.outcome == Outcome.EXEMPT:
        refuse(_("予以免责须认定第十条或第十一条的情形。"), rule_id="TOL-11", field="outcome")
    refuse(_("从轻、减轻处理须认定第十一条或第十二条的情形。"), rule_id="TOL-12", field="outcome")


@transaction.atomic
def decision_record(
    *, application: Application, by_user, data: dict, accepted, members_present, on: datetime.date | None = None
) -> Decision:
    """TOL-14a: a party-group member of the officer's own unit (never the officer concerned)
    records the decision of an application under investigation. The row lock and the state check
    make two concurrent decisions yield one; the one-to-one link is the last guard."""
    application = locked(application)
    if not access.can_decide(by_user, application):
        if access.is_concerned(by_user, application):
            refuse(_("当事人不能参与认定本人的容错申请。"), rule_id="TOL-14a")
        refuse(_("只有当事人所在单位的党组成员可以作出容错认定。"), rule_id="TOL-14a")
    check_state(application, ApplicationStatus.INVESTIGATING, action=_("认定（须先经单位调查核实）"))
    unknown = set(data) - set(DECISION_FIELDS)
    if unknown:
        raise ValueError(f"unknown decision fields: {sorted(unknown)}")
    accepted = list(accepted)
    members = list(members_present)
    cited = set(application.circumstances.values_list("pk", flat=True))
    stray = [c.code for c in accepted if c.pk not in cited]
    if stray:
        refuse(_("认定的情形须为申请所引用的情形：%(c)s") % {"c": "、".join(stray)}, field="accepted")
    decision = Decision(application=application, decided_by=by_user, decided_on=on or timezone.localdate())
    for key, value in data.items():
        setattr(decision, key, value)
    for name in ("facts", "legal_basis"):
        if not str(getattr(decision, name) or "").strip():
            refuse(_("认定须写明事实和依据（第三条）。"), rule_id="TOL-3", field=name)
    if not application.evidence.exists():
        refuse(_("申请没有证据材料，不能认定（第三条：证据确凿）。"), rule_id="TOL-3")
    for name in ANALYSIS_FIELDS:
        if not str(getattr(decision, name) or "").strip():
            label = Decision._meta.get_field(name).verbose_name
            refuse(_("综合分析研判须逐项填写：%(f)s。") % {"f": label}, rule_id="TOL-14a", field=name)
    if not members:
        refuse(_("请选择出席的党组成员。"), rule_id="TOL-14a", field="members_present")
    party = set(
        Officer.objects.filter(
            pk__in=[m.pk for m in members],
            department_id=application.department_id,
            user__groups__name=Role.PARTY_MEMBER,
        ).values_list("pk", flat=True)
    )
    outsiders = [m.name for m in members if m.pk not in party]
    if outsiders:
        refuse(_("以下人员不是本单位党组成员：%(n)s") % {"n": "、".join(outsiders)}, rule_id="TOL-14a")
    if application.officer_id in {m.pk for m in members}:
        refuse(_("当事人不能作为党组成员参与认定本人的申请。"), rule_id="TOL-14a", field="members_present")
    _check_outcome(decision, accepted)
    if decision.publication_scope != PublicationScope.NONE and not decision.published_on:
        decision.published_on = decision.decided_on
    full_clean(decision, exclude=["application"])
    decision.document_number = document_number_allocate(
        department=application.department, year=decision.decided_on.year, kind=DOCUMENT_KIND, word=DOCUMENT_WORD
    ).text
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError as exc:
        raise DomainError(_("该申请已有认定结论。"), rule_id="TOL-14a") from exc
    decision.accepted.set(accepted)
    decision.members_present.set(members)
    record(
        application, ApplicationStatus.INVESTIGATING, ApplicationStatus.DECIDED, by_user, decision.get_outcome_display()
    )
    _prepare_notices(decision)
    if decision.tolerated:
        # TOL-16: error correction starts alongside an exemption or tolerance.
        CorrectionOrder.objects.create(decision=decision, reasons=decision.facts[:1000])
    return decision


def _related_departments(decision: Decision):
    application = decision.application
    departments = {application.department_id: application.department}
    for case in application.case_files.select_related("department"):
        departments.setdefault(case.department_id, case.department)
    return list(departments.values())


def _prepare_notices(decision: Decision) -> None:
    """TOL-14c: one notice row per recipient (the party, and the heads of each related unit);
    the 7-day deadline opens on the decision date (reminder day 5, overdue notice day 8)."""
    application = decision.application
    User = get_user_model()
    rows = [
        DecisionNotice(
            decision=decision,
            recipient_kind=NoticeRecipientKind.PARTY,
            department=application.department,
            recipient=application.officer.user,
        )
    ]
    for department in _related_departments(decision):
        heads = User.objects.filter(
            is_active=True, officer__department=department, groups__name__in=UNIT_RECIPIENT_ROLES
        ).distinct()
        for user in heads:
            if user.pk != application.officer.user_id:
                rows.append(
                    DecisionNotice(
                        decision=decision,
                        recipient_kind=NoticeRecipientKind.UNIT,
                        department=department,
                        recipient=user,
                    )
                )
    DecisionNotice.objects.bulk_create(rows, ignore_conflicts=True)
    notices.deadline_open(
        subject=decision,
        kind=NOTIFY_KIND,
        rule_id="TOL-14c",
        title=_("告知容错认定结论：%(n)s") % {"n": application.number},
        start_date=decision.decided_on,
        days=rule("TOL_14C_NOTIFY_DAYS"),
        remind_days=rule("TOL_14C_REMIND_DAYS"),
        department=application.department,
        assignee=decision.decided_by,
        escalate_roles=[Role.LEGAL_HEAD, Role.LEGAL_OFFICER],
        url=reverse("tolerance:application", args=[application.pk]),
    )


@transaction.atomic
def decision_notify(*, decision: Decision, by_user) -> int:
    """TOL-14c: deliver the decision to each recipient (inbox + e-mail), record the delivery
    time, meet the deadline. Idempotent: a second call delivers nothing twice. Returns deliveries."""
    application = locked(decision.application)
    if not access.can_notify(by_user, application):
        if access.is_concerned(by_user, application):
            refuse(_("当事人不能送达本人申请的认定结论。"), rule_id="TOL-14c")
        refuse(_("只有当事人所在单位的法制机构或党组成员可以送达认定结论。"), rule_id="TOL-14c")
    check_state(application, ApplicationStatus.DECIDED, ApplicationStatus.NOTIFIED, action=_("送达"))
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    now = timezone.now()
    url = reverse("tolerance:application", args=[application.pk])
    sent = 0
    for notice in decision.notices.select_related("recipient").filter(delivered_at__isnull=True):
        notices.notify(
            recipient=notice.recipient,
            title=_("容错认定结论告知：%(n)s，%(o)s") % {"n": application.number, "o": decision.get_outcome_display()},
            body=_("认定日期 %(d)s。请登录平台查看认定书并确认收到。") % {"d": decision.decided_on.isoformat()},
            url=url,
            rule_id="TOL-14c",
            dedupe_key=f"tol14c:{decision.pk}:{notice.recipient_id}",
        )
        notice.delivered_at = now
        notice.save(update_fields=["delivered_at"])
        sent += 1
    if decision.notified_on is None:
        decision.notified_on = timezone.localdate()
        decision.save(update_fields=["notified_on"])
    notices.deadline_meet(subject=decision, kind=NOTIFY_KIND)
    if application.status == ApplicationStatus.DECIDED:
        record(application, ApplicationStatus.DECIDED, ApplicationStatus.NOTIFIED, by_user)
    return sent


@transaction.atomic
def notice_acknowledge(*, notice: DecisionNotice, by_user) -> DecisionNotice:
    notice = DecisionNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.recipient_id != by_user.pk:
        refuse(_("只能确认发给本人的告知。"), rule_id="TOL-14c")
    if notice.delivered_at is None:
        refuse(_("该告知尚未送达。"), rule_id="TOL-14c")
    if notice.acknowledged_at is None:
        notice.acknowledged_at = timezone.now()
        notice.save(update_fields=["acknowledged_at"])
    return notice


@transaction.atomic
def decision_publish(*, decision: Decision, by_user, scope: str, on: datetime.date | None = None) -> Decision:
    """TOL-14d: set the publication scope and date."""
    application = locked(decision.application)
    if not access.can_notify(by_user, application):
        if access.is_concerned(by_user, application):
            refuse(_("当事人不能设置本人申请的认定结论的公开范围。"), rule_id="TOL-14d")
        refuse(_("只有当事人所在单位的法制机构或党组成员可以设置公开范围。"), rule_id="TOL-14d")
    if scope not in PublicationScope.values:
        refuse(_("公开范围无效。"), rule_id="TOL-14d", field="publication_scope")
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    decision.publication_scope = scope
    decision.published_on = None if scope == PublicationScope.NONE else (on or timezone.localdate())
    full_clean(decision, exclude=["application"])
    decision.save(update_fields=["publication_scope", "published_on"])
    return decision


@transaction.atomic
def application_close(*, application: Application, by_user) -> Application:
    """notified → closed. TOL-16: a correction order must have been issued first."""
    application = locked(application)
    check_state(application, ApplicationStatus.NOTIFIED, action=_("办结（须先送达认定结论）"))
    if not access.can_investigate(by_user, application):
        if access.is_concerned(by_user, application):
            refuse(_("当事人不能办结本人的申请。"), rule_id="TOL-14b")
        refuse(_("只有当事人所在单位的法制机构人员可以办结申请。"), rule_id="TOL-14b")
    order = CorrectionOrder.objects.filter(decision__application=application).first()
    if order is not None and order.status == CorrectionStatus.DRAFT:
        refuse(_("纠错整改通知尚未下达，申请不能办结（第十六条）。"), rule_id="TOL-16")
    application.closed_on = timezone.localdate()
    application.save(update_fields=["closed_on", "updated_at"])
    record(application, ApplicationStatus.NOTIFIED, ApplicationStatus.CLOSED, by_user)
    return application
