"""Reads of the statistics room: the leaders' dashboard (STA-5.2, STA-5.3, REV-5) and the public
list of certificate holders (STA-5.2).

Every figure is aggregated in the database, one query per aggregate, so a page runs the same
number of queries whatever the data size (performance.md target 6). Conditional counts count a
date column (``Count("filed_on", filter=…)``) rather than ``pk``: performance.md measured that
counting ``id`` turns an index-only aggregate into a heap scan.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from cases.choices import LitigationState, ReconsiderationState
from cases.models import CaseCategory, CaseFile
from xian_enforcement.notices.choices import DeadlineStatus
from xian_enforcement.notices.models import Deadline
from xian_enforcement.org.choices import CertificateStatus
from xian_enforcement.org.models import Certificate, Department, Officer, Region
from xian_enforcement.org.scoping import scope_for
from xian_enforcement.org.selectors import enforcement_departments, valid_certificate_exists

from .choices import period_range
from .models import TrainingAttendance

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=16, decimal_places=2))
MONTHS = range(1, 13)


# --- the dashboard's scope ---------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardScope:
    """What the dashboard counts: a whole county (county roles) or one department (department
    roles and handlers)."""

    region_id: int
    department_id: int | None
    label: str

    @property
    def is_county(self) -> bool:
        return self.department_id is None

    def cases(self, prefix: str = "") -> Q:
        """Q limiting case files (reached through ``prefix``) to the scope."""
        if self.department_id is not None:
            return Q(**{f"{prefix}department_id": self.department_id})
        return Q(**{f"{prefix}department__region_id": self.region_id})

    def officers(self) -> Q:
        if self.department_id is not None:
            return Q(department_id=self.department_id)
        return Q(department__region_id=self.region_id)

    def departments(self) -> QuerySet[Department]:
        if self.department_id is not None:
            return Department.objects.filter(pk=self.department_id)
        return enforcement_departments(self.region_id)


def dashboard_scope(user) -> DashboardScope:
    """County roles see their county; department roles and handlers their department.
    Administrators and users without a role are refused (403) with the reason."""
    scope = scope_for(user)
    if scope.is_county_wide:
        region = Region.objects.filter(pk=scope.region_id).only("name").first()
        return DashboardScope(region_id=scope.region_id, department_id=None, label=region.name if region else "")
    if scope.department_id is not None and (scope.reads_department or scope.is_handler):
        department = Department.objects.only("region_id", "name", "short_name").get(pk=scope.department_id)
        return DashboardScope(
            region_id=department.region_id, department_id=department.pk, label=department.short_name or department.name
        )
    raise PermissionDenied(
        _(
            "统计看板依据执法统计制度（STA-5.3）展示案件数据，只对执法、法制、执法机构负责人、党组成员、"
            "司法局、评查组和县领导角色开放；系统管理员、安全管理员和审计管理员（三员分立）无权查看业务数据。"
        )
    )


# --- figures ----------------------------------------------------------------------------------


def _year_range(year: int, period: str = "year") -> tuple[datetime.date, datetime.date]:
    """The dashboard's period: the whole year, or its first half (STA-2 periods)."""
    return period_range(year, period)


def _month_range(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, month, 1)
    end = datetime.date(year + (month == 12), month % 12 + 1, 1) - datetime.timedelta(days=1)
    return start, end


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def available_years(dscope: DashboardScope, today: datetime.date) -> list[int]:
    """Years from the first filing in scope to this year, newest first. One query."""
    first = CaseFile.objects.filter(dscope.cases()).aggregate(first=Min("filed_on"))["first"]
    start = min(first.year if first else today.year, today.year)
    return list(range(today.year, start - 1, -1))


def case_figures(dscope: DashboardScope, year: int, today: datetime.date, period: str = "year") -> dict:
    """STA-5.3 and REV-5 headline figures for ``year`` with the months, in one query:

    - filed / closed: files filed / closed in the year;
    - amount (罚没金额): fine + confiscation of files decided in the year;
    - hearings: files filed in the year in which a hearing was held (举行听证的立案数);
    - transfer_due / transfer_on_time (REV-5): files closed in the year and not excluded by
      REV-12 whose transfer is due (transferred, or the 30 days have passed), and of these the
      ones transferred within the 30 days;
    - filed_1 … filed_12, closed_1 … closed_12: the same counts per month.
    """
    start, end = _year_range(year, period)
    days = settings.RULES["REV_5_TRANSFER_DAYS"]
    cutoff = today - datetime.timedelta(days=days)
    filed = Q(filed_on__range=(start, end))
    closed = Q(closed_on__range=(start, end))
    reviewable = closed & Q(reconsideration=ReconsiderationState.NONE, litigation=LitigationState.NONE)
    aggregates = {
        "filed": Count("filed_on", filter=filed),
        "closed": Count("closed_on", filter=closed),
        "amount": Coalesce(
            Sum(F("fine_amount") + F("confiscation_amount"), filter=Q(decided_on__range=(start, end))), ZERO
        ),
        "hearings": Count("filed_on", filter=filed & Q(hearing_held=True)),
        "transfer_due": Count(
            "closed_on",
            filter=reviewable & (Q(transferred_for_review_on__isnull=False) | Q(closed_on__lt=cutoff)),
        ),
        "transfer_on_time": Count("closed_on", filter=reviewable & Q(transfer_gap__lte=datetime.timedelta(days=days))),
    }
    for m in MONTHS:
        aggregates[f"filed_{m}"] = Count("filed_on", filter=Q(filed_on__range=_month_range(year, m)))
        aggregates[f"closed_{m}"] = Count("closed_on", filter=Q(closed_on__range=_month_range(year, m)))
    figures = (
        CaseFile.objects.filter(dscope.cases())
        .filter(filed | closed | Q(decided_on__range=(start, end)))
        .alias(
            transfer_gap=ExpressionWrapper(
                F("transferred_for_review_on") - F("closed_on"), output_field=DurationField()
            )
        )
        .aggregate(**aggregates)
    )
    figures["transfer_rate"] = _rate(figures["transfer_on_time"], figures["transfer_due"])
    figures["months_filed"] = [figures.pop(f"filed_{m}") for m in MONTHS]
    figures["months_closed"] = [figures.pop(f"closed_{m}") for m in MONTHS]
    return figures


def certificate_figures(dscope: DashboardScope, day: datetime.date) -> dict:
    """STA-5.2: enforcement officers in scope, those holding a certificate valid on ``day``, and
    the rate (持证率). One query."""
    figures = (
        Officer.objects.filter(dscope.officers(), is_enforcement_officer=True)
        .alias(certified=valid_certificate_exists(day))
        .aggregate(officers=Count("pk"), holders=Count("pk", filter=Q(certified=True)))
    )
    figures["rate"] = _rate(figures["holders"], figures["officers"])
    figures["day"] = day
    return figures


def department_table(dscope: DashboardScope, year: int, today: datetime.date, period: str = "year") -> list[Department]:
    """Per department: filed, closed, 罚没金额, hearings in ``year``, and closed files now overdue
    for transfer (REV-5, REV-12 excluded); most filed first. One query."""
    start, end = _year_range(year, period)
    cutoff = today - datetime.timedelta(days=settings.RULES["REV_5_TRANSFER_DAYS"])
    filed = Q(case_files__filed_on__range=(start, end))
    overdue = Q(
        case_files__closed_on__lt=cutoff,
        case_files__transferred_for_review_on__isnull=True,
        case_files__reconsideration=ReconsiderationState.NONE,
        case_files__litigation=LitigationState.NONE,
    )
    return list(
        dscope.departments()
        .annotate(
            filed=Count("case_files__filed_on", filter=filed),
            closed=Count("case_files__closed_on", filter=Q(case_files__closed_on__range=(start, end))),
            amount=Coalesce(
                Sum(
                    F("case_files__fine_amount") + F("case_files__confiscation_amount"),
                    filter=Q(case_files__decided_on__range=(start, end)),
                ),
                ZERO,
            ),
            hearings=Count("case_files__filed_on", filter=filed & Q(case_files__hearing_held=True)),
            overdue=Count("case_files__closed_on", filter=overdue),
        )
        .only("id", "name", "short_name", "order")
        .order_by("-filed", "order", "id")
    )


def category_figures(dscope: DashboardScope, year: int, period: str = "year") -> list[CaseCategory]:
    """Files filed and closed in ``year`` per case category (every active category, zeros
    included, in reference order). One query."""
    start, end = _year_range(year, period)
    in_scope = dscope.cases("case_files__")
    return list(
        CaseCategory.objects.filter(is_active=True)
        .annotate(
            filed=Count("case_files__filed_on", filter=in_scope & Q(case_files__filed_on__range=(start, end))),
            closed=Count("case_files__closed_on", filter=in_scope & Q(case_files__closed_on__range=(start, end))),
        )
        .only("id", "name", "order")
        .order_by("order", "id")
    )


def transfer_by_department(dscope: DashboardScope, year: int, today: datetime.date, period: str = "year") -> dict:
    """REV-5/REV-6 proxy per department: files closed in the period (REV-12 excluded) whose
    transfer is due, and those transferred within the days allowed. One query."""
    start, end = _year_range(year, period)
    days = settings.RULES["REV_5_TRANSFER_DAYS"]
    cutoff = today - datetime.timedelta(days=days)
    reviewable = Q(
        closed_on__range=(start, end), reconsideration=ReconsiderationState.NONE, litigation=LitigationState.NONE
    )
    rows = (
        CaseFile.objects.filter(dscope.cases())
        .filter(reviewable)
        .alias(
            transfer_gap=ExpressionWrapper(
                F("transferred_for_review_on") - F("closed_on"), output_field=DurationField()
            )
        )
        .values("department_id")
        .annotate(
            due=Count("closed_on", filter=Q(transferred_for_review_on__isnull=False) | Q(closed_on__lt=cutoff)),
            on_time=Count("closed_on", filter=Q(transfer_gap__lte=datetime.timedelta(days=days))),
        )
        .order_by()
    )
    return {r["department_id"]: (r["on_time"], r["due"]) for r in rows}


def overdue_deadlines(dscope: DashboardScope, today: datetime.date) -> dict[int, dict[str, int]]:
    """Open deadlines past their due date, per department and rule (REV-5, REV-9, STA-2, …).
    One query."""
    q = Q(department_id=dscope.department_id) if dscope.department_id else Q(department__region_id=dscope.region_id)
    out: dict[int, dict[str, int]] = {}
    for row in (
        Deadline.objects.filter(q, status=DeadlineStatus.OPEN, due_date__lt=today)
        .values("department_id", "rule_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        out.setdefault(row["department_id"], {})[row["rule_id"]] = row["n"]
    return out


def training_figures(dscope: DashboardScope, year: int, period: str = "year") -> dict:
    """STA-5.1: attendances of officers in scope and their hours in the period. One query."""
    start, end = _year_range(year, period)
    q = (
        Q(officer__department_id=dscope.department_id)
        if dscope.department_id
        else Q(officer__department__region_id=dscope.region_id)
    )
    return TrainingAttendance.objects.filter(q, session__held_on__range=(start, end)).aggregate(
        trainees=Count("pk"), hours=Coalesce(Sum("session__hours"), ZERO)
    )


# --- the public list of certificate holders ---------------------------------------------------


def public_certificate_holders(
    *, day: datetime.date, region_code: str = "", department_id: int | None = None, query: str = ""
) -> QuerySet:
    """STA-5.2: certificates valid on ``day`` (active, valid_from ≤ day ≤ valid_to), as plain
    values of exactly the published columns: name, unit, post, certificate number and validity.
    Personal data (ID number, phone) is never even read from the database."""
    qs = Certificate.objects.filter(status=CertificateStatus.ACTIVE, valid_from__lte=day, valid_to__gte=day)
    if region_code:
        qs = qs.filter(officer__region__code=region_code)
    if department_id is not None:
        qs = qs.filter(officer__department_id=department_id)
    if query:
        qs = qs.filter(Q(officer__name__icontains=query) | Q(number__icontains=query))
    return qs.order_by("officer__department__order", "officer__department_id", "officer__name", "number").values(
        "number",
        "valid_to",
        "officer__name",
        "officer__post",
        "officer__department_id",
        "officer__department__short_name",
        "officer__department__name",
    )


def public_regions() -> list[Region]:
    """Regions that have departments (the region filter of the public page). One query."""
    return list(Region.objects.filter(departments__isnull=False).distinct().only("code", "name").order_by("code"))


def public_departments(region_code: str = "") -> list[Department]:
    """Departments for the public page's unit filter. One query."""
    qs = Department.objects.select_related("region").only("id", "name", "short_name", "region__code", "region__name")
    if region_code:
        qs = qs.filter(region__code=region_code)
    return list(qs.order_by("region__code", "order", "id"))
