"""Reads of the tolerance room, limited to what the user may see.

Interfaces other rooms rely on (architecture.md: reviews → tolerance only to ask which findings
are tolerated; stats reads outcomes): ``tolerated_case_file_ids`` and ``decision_outcomes``.

Jurisdiction: county-wide roles read every application of their county; department roles read
their department's; an officer reads their own (and those they filed). Outside → 404; readable
but not allowed to take the step → 403 (``application_for_user``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.org.scoping import scope_for

from . import access
from .choices import TOLERATED_OUTCOMES, PublicationScope
from .models import Application, Complaint, CorrectionOrder, Decision, RiskWarning


def tolerated_case_file_ids(case_file_ids: Iterable[int]) -> set[int]:
    """TOL-15: of the given case files, those linked to a decision of 免责 or 容错 (a tolerated
    act is not an enforcement error; REV-8 does not count the file as unqualified)."""
    ids = list(case_file_ids)
    if not ids:
        return set()
    through = Application.case_files.through
    return set(
        through.objects.filter(
            casefile_id__in=ids, application__decision__outcome__in=list(TOLERATED_OUTCOMES)
        ).values_list("casefile_id", flat=True)
    )


def decision_outcomes(user, year: int, period: str = "year") -> dict[str, int]:
    """Exemption decisions of ``year`` (``period`` "half": of its first half) visible to
    ``user``, counted by outcome code (for the statistics dashboard)."""
    scope = scope_for(user)
    q = access.application_read_q(scope, prefix="application__")
    if q is None:
        return {}
    rows = (
        Decision.objects.filter(q, decided_on__year=year, decided_on__month__lte=6 if period == "half" else 12)
        .values("outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["outcome"]: row["n"] for row in rows}


# Applications ---------------------------------------------------------------------------------


def applications_visible_to(user) -> QuerySet[Application]:
    q = access.application_read_q(scope_for(user))
    if q is None:
        return Application.objects.none()
    return Application.objects.filter(q)


def can_list_applications(user) -> bool:
    return access.application_read_q(scope_for(user)) is not None


def application_list_queryset(user) -> QuerySet[Application]:
    return applications_visible_to(user).select_related("department", "officer", "decision")


REFUSALS = {
    "edit": (access.can_edit_draft, _("只有填报人、当事人或本单位法制机构可以修改、提交或撤回申请（TOL-14b）。")),
    "investigate": (
        access.can_investigate,
        _("只有当事人所在单位的法制机构人员可以调查核实、办结，当事人本人不能（TOL-14b）。"),
    ),
    "decide": (access.can_decide, _("只有当事人所在单位的党组成员可以作出认定，当事人本人不能参与（TOL-14a）。")),
    "notify": (
        access.can_notify,
        _("只有当事人所在单位的法制机构或党组成员可以送达和公开认定结论，当事人本人不能（TOL-14c、TOL-14d）。"),
    ),
    "issue": (
        access.can_issue_correction,
        _(
            "只有当事人所在单位的法制机构、执法机构负责人或党组成员可以下达纠错整改通知、审批延期，"
            "整改对象本人不能（TOL-17）。"
        ),
    ),
    "subject": (access.is_subject, _("只有整改对象本人可以报告整改进展、申请延期（TOL-17）。")),
}


def application_for_user(user, pk: int, *, action: str | None = None) -> Application:
    """The one helper that fetches an application: 404 outside the user's jurisdiction, 403 when
    they may read it but not take ``action`` (a key of ``REFUSALS``)."""
    application = (
        applications_visible_to(user)
        .select_related("department", "officer__user", "filed_by", "investigated_by")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404(_("没有找到该申请，或不在您的管辖范围内。"))
    if action is not None:
        check, message = REFUSALS[action]
        if not check(user, application):
            raise PermissionDenied(message)
    return application


def correction_for_user(user, pk: int, *, action: str | None = None) -> CorrectionOrder:
    order = CorrectionOrder.objects.filter(pk=pk).values_list("decision__application_id", flat=True).first()
    if order is None:
        raise Http404(_("没有找到该纠错整改通知。"))
    application = application_for_user(user, order, action=action)
    result = CorrectionOrder.objects.select_related("decision", "issued_by").get(pk=pk)
    result.decision.application = application
    return result


def actions_for(user, application: Application) -> dict[str, bool]:
    return {key: check(user, application) for key, (check, _msg) in REFUSALS.items()}


# Publication (TOL-14d) ------------------------------------------------------------------------


def mask_name(name: str) -> str:
    """Personal data outside the unit: the surname and 某 (张某)."""
    return f"{name[:1]}某" if name else ""


def publications_for(user, today: datetime.date | None = None) -> QuerySet[Decision]:
    """Decisions whose publication scope includes the user: public for everyone (also anonymous
    visitors); county for anyone of a department of the county; unit for the unit's own people."""
    today = today or timezone.localdate()
    scope = scope_for(user)
    q = Q(publication_scope=PublicationScope.PUBLIC)
    if scope.region_id is not None and scope.user_id is not None:
        q |= Q(publication_scope=PublicationScope.COUNTY, application__department__region_id=scope.region_id)
    if scope.department_id is not None:
        q |= Q(publication_scope=PublicationScope.UNIT, application__department_id=scope.department_id)
    return (
        Decision.objects.filter(q, published_on__isnull=False, published_on__lte=today)
        .select_related("application__department", "application__officer")
        .order_by("-published_on", "-id")
    )


def shows_personal_data(user, decision: Decision) -> bool:
    return scope_for(user).department_id == decision.application.department_id


# Risk (TOL-18) --------------------------------------------------------------------------------


def risk_matrix(user, start: datetime.date, end: datetime.date) -> list[dict]:
    """Counts of submitted applications by error category × department × field in the period."""
    from .services.risk import COUNTED

    return list(
        applications_visible_to(user)
        .filter(status__in=COUNTED, submitted_on__gte=start, submitted_on__lte=end)
        .values("error_category", "department_id", "department__short_name", "field")
        .annotate(n=Count("pk"))
        .order_by("error_category", "department__short_name", "field")
    )


def warnings_for(user) -> QuerySet[RiskWarning]:
    scope = scope_for(user)
    if scope.is_county_wide:
        qs = RiskWarning.objects.filter(region_id=scope.region_id)
    elif scope.reads_department:
        qs = RiskWarning.objects.filter(Q(department_id=scope.department_id) | Q(department__isnull=True)).filter(
            region_id=scope.region_id
        )
    else:
        return RiskWarning.objects.none()
    return qs.select_related("department").prefetch_related("applications__officer", "applications__department")


# Complaints (TOL-19) --------------------------------------------------------------------------


def complaints_visible_to(user) -> QuerySet[Complaint]:
    """Handlers and county-wide roles: the county's complaints; department roles: those against
    their department's officers (without the reporter's identity); others: none."""
    scope = scope_for(user)
    if not access.reads_complaints(user):
        return Complaint.objects.none()
    q = Q(pk__in=[])
    if scope.is_county_wide or access.handles_complaints(user):
        q |= Q(region_id=scope.region_id)
    if scope.reads_department:
        q |= Q(accused_department_id=scope.department_id)
    qs = Complaint.objects.filter(q)
    if scope.officer_id is not None:
        qs = qs.exclude(accused_id=scope.officer_id)
    return qs.select_related("accused", "accused_department")


def reveals_reporter(user, complaint: Complaint) -> bool:
    """The reporter's identity: only complaint handlers, never the accused or their unit."""
    scope = scope_for(user)
    return (
        access.handles_complaints(user)
        and scope.department_id != complaint.accused_department_id
        and scope.officer_id != complaint.accused_id
    )


def complaint_search(qs: QuerySet[Complaint], query: str) -> QuerySet[Complaint]:
    """Search by content, channel and accused name; never by the reporter (encrypted, and absent
    from search for everyone)."""
    query = (query or "").strip()[:50]
    if not query:
        return qs
    return qs.filter(Q(summary__icontains=query) | Q(channel__icontains=query) | Q(accused__name__icontains=query))


def complaint_for_user(user, pk: int, *, write: bool = False) -> Complaint:
    complaint = complaints_visible_to(user).filter(pk=pk).first()
    if complaint is None:
        raise Http404(_("没有找到该信访举报，或不在您的管辖范围内。"))
    if write and not access.can_handle_complaint_about(user, complaint.accused_id):
        raise PermissionDenied(_("您可以查看该信访举报，但只有司法局办理人员可以办理（TOL-19）。"))
    return complaint
