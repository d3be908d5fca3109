"""Reads of the statistics room: the leaders' dashboard (STA-5.2, STA-5.3, REV-5) and the public
list of certificate holders (STA-5.2).

Every figure is aggregated in the database, one query per aggregate, so a page runs the same
number of queries whatever the data size (performance.md target 6). Conditional counts count a
date column (``Count("filed_on", filter=…)``) rather than ``pk``: counting ``id`` turns an
index-only aggregate into a heap scan (performance.md).

Aggregates over a whole scope are written as one-group ``values().annotate()`` on a column the
filter fixes, read as one row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from cases.choices import LitigationState, ReconsiderationState
from cases.models import CaseCategory, CaseFile
from xian_enforcement.org.choices import CertificateStatus
from xian_enforcement.org.models import Certificate, Department, Officer, Region
from xian_enforcement.org.scoping import scope_for
from xian_enforcement.org.selectors import enforcement_departments, valid_certificate_exists

from .choices import period_range
from .models import CaseMonthSummary, CountyMonthSummary, TrainingAttendance


class Unit(SimpleNamespace):
    """A department as the dashboard shows it, read as a plain row (``pk``, ``name``,
    ``short_name``, ``order``; the figures are set on it)."""

    def __str__(self) -> str:
        return self.short_name or self.name


class Category(SimpleNamespace):
    """A case category as the dashboard shows it (``pk``, ``name``, ``order``, figures)."""

    def __str__(self) -> str:
        return self.name


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
    # The region has counties under it (a province or a city): the province dashboard.
    has_counties: bool = False

    @property
    def is_county(self) -> bool:
        return self.department_id is None

    def cases(self, prefix: str = "") -> Q:
        """Q limiting case files (reached through ``prefix``) to the scope."""
        if self.department_id is not None:
            return Q(**{f"{prefix}department_id": self.department_id})
        return Q(**{f"{prefix}department__region_id": self.region_id})

    def summaries(self) -> Q:
        """Q limiting summary rows (``CaseMonthSummary``) to the scope."""
        if self.department_id is not None:
            return Q(department_id=self.department_id)
        return Q(department__region_id=self.region_id)

    def officers(self) -> Q:
        if self.department_id is not None:
            return Q(department_id=self.department_id)
        return Q(department__region_id=self.region_id)

    def departments(self) -> QuerySet[Department]:
        if self.department_id is not None:
            return Department.objects.filter(pk=self.department_id)
        return enforcement_departments(self.region_id)


def unit_scope(department_id: int) -> DashboardScope:
    """The dashboard scope of one unit, for pages that show a unit's figures through the same
    selectors as the dashboard (the statistics report's recorded values). One query."""
    department = Department.objects.only("region_id", "name", "short_name").get(pk=department_id)
    return DashboardScope(
        region_id=department.region_id, department_id=department.pk, label=department.short_name or department.name
    )


def dashboard_scope(user) -> DashboardScope:
    """County roles see their county; department roles and handlers their department.
    Administrators and users without a role are refused (403) with the reason."""
    scope = scope_for(user)
    if scope.is_county_wide:
        found = list(
            Region.objects.filter(pk=scope.region_id)
            .annotate(has_counties=Exists(Region.objects.filter(parent_id=OuterRef("pk"))))
            .values("name", "has_counties")
        )
        region = found[0] if found else None
        return DashboardScope(
            region_id=scope.region_id,
            department_id=None,
            label=region["name"] if region else "",
            has_counties=bool(region and region["has_counties"]),
        )
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
    """Years from the first filing in scope to this year, newest first. One query: for a county
    on the county summary (120 rows a year), not on the department summary (thirty-odd times as
    many rows)."""
    if dscope.department_id is None:  # a county: its county summary (one row per category and month)

        def build():
            rows = CountyMonthSummary.objects.filter(region_id=dscope.region_id, filed__gt=0)
            return rows.values("region_id").annotate(first=Min("year")).values("first").order_by()

    else:

        def build():
            rows = CaseMonthSummary.objects.filter(department_id=dscope.department_id, filed__gt=0)
            return rows.values("department_id").annotate(first=Min("year")).values("first").order_by()

    found = list(build())
    first = found[0]["first"] if found else None
    start = min(first or today.year, today.year)
    return list(range(today.year, start - 1, -1))


# The figures below read the maintained summary (``statistics.CaseMonthSummary``, see
# ``stats/case_summaries.py``), not the case table: their time does not grow with the case files
# (performance.md targets 4 and 5). The one figure that depends on the day is REV-5's "due":
# a closed file not transferred is due once 30 days have passed. Months wholly before the
# cutoff's month come from the summary (reviewable_closed − transferred); the cutoff's own month
# is counted from the case table over that month's few days (a narrow, indexed range).


def _cutoff(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=settings.RULES["REV_5_TRANSFER_DAYS"])


def _period_months(year: int, period: str) -> Q:
    start, end = _year_range(year, period)
    return Q(year=year, month__gte=start.month, month__lte=end.month)


def _amount(cents: int | None) -> Decimal:
    return Decimal(cents or 0).scaleb(-2)


def _sum(field, **filters) -> Coalesce:
    return Coalesce(Sum(field, **filters), 0)


COUNTERS = ("filed", "closed", "amount_cents", "hearings", "reviewable_closed", "transferred", "on_time")


@dataclass
class Rollup:
    """The county dashboard's case figures for a period, read in two queries and shared by
    ``case_figures``, ``department_table`` and ``transfer_by_department`` (performance.md target
    1: with the cache cleared the dashboard ran ten aggregates, a 31-term one among them, and
    their ORM compilation cost as much as the database).

    ``cells``: the summary's counters per (department, month) of the period; ``partial``: per
    department, files closed in the REV-5 cutoff's month before the cutoff (within the period),
    not transferred, not excluded by REV-12; ``overdue``: per department, files closed in the
    period, past the cutoff and not transferred (REV-5, REV-12 excluded): ``transfer_due −
    transferred``, the period's own figure, never another year's."""

    cells: list[dict]
    partial: dict[int, int]
    overdue: dict[int, int]
    cutoff: datetime.date
    year: int

    def is_late_month(self, month: int) -> bool:
        """The month lies wholly before the cutoff's month (its untransferred files are due)."""
        return self.year < self.cutoff.year or (self.year == self.cutoff.year and month < self.cutoff.month)


def rollup(dscope: DashboardScope, year: int, today: datetime.date, period: str = "year") -> Rollup:
    """Two queries: the summary rows of the period grouped by department and month (a few hundred
    rows for a county), and one pass over the review room's partial index of closed, untransferred,
    reviewable files (``reviews_case_await_transfer_idx``) for the day-dependent REV-5 counts."""
    start, end = _year_range(year, period)
    cutoff = _cutoff(today)
    cells = list(
        CaseMonthSummary.objects.filter(dscope.summaries(), _period_months(year, period))
        .values("department_id", "month")
        .annotate(**{c: _sum(c) for c in COUNTERS})
        .order_by()
    )
    low, high = max(cutoff.replace(day=1), start), min(cutoff - datetime.timedelta(days=1), end)
    partial, overdue = {}, {}
    for row in (
        CaseFile.objects.filter(
            dscope.cases(),
            closed_on__lt=cutoff,
            closed_on__gte=start,
            closed_on__lte=end,
            transferred_for_review_on__isnull=True,
            reconsideration=ReconsiderationState.NONE,
            litigation=LitigationState.NONE,
        )
        .values("department_id")
        .annotate(
            n=Count("closed_on"),
            p=Count("closed_on", filter=Q(closed_on__range=(low, high))),
        )
        .order_by()
    ):
        if row["n"]:
            overdue[row["department_id"]] = row["n"]
        if row["p"]:
            partial[row["department_id"]] = row["p"]
    return Rollup(cells=cells, partial=partial, overdue=overdue, cutoff=cutoff, year=year)


def case_figures(
    dscope: DashboardScope, year: int, today: datetime.date, period: str = "year", *, data: Rollup | None = None
) -> dict:
    """STA-5.3 and REV-5 headline figures for ``year`` with the months (from ``rollup``):

    - filed / closed: files filed / closed in the year;
    - amount (罚没金额): fine + confiscation of files decided in the year;
    - hearings: files filed in the year in which a hearing was held (举行听证的立案数);
    - transfer_due / transfer_on_time (REV-5): files closed in the year and not excluded by
      REV-12 whose transfer is due (transferred, or the 30 days have passed), and of these the
      ones transferred within the 30 days;
    - months_filed, months_closed: the same counts per month.
    """
    data = data or rollup(dscope, year, today, period)
    totals = dict.fromkeys(COUNTERS, 0)
    months_filed, months_closed = dict.fromkeys(MONTHS, 0), dict.fromkeys(MONTHS, 0)
    late = 0
    for cell in data.cells:
        for c in COUNTERS:
            totals[c] += cell[c]
        months_filed[cell["month"]] += cell["filed"]
        months_closed[cell["month"]] += cell["closed"]
        if data.is_late_month(cell["month"]):
            late += cell["reviewable_closed"] - cell["transferred"]
    figures = {
        "filed": totals["filed"],
        "closed": totals["closed"],
        "amount": _amount(totals["amount_cents"]),
        "hearings": totals["hearings"],
        "transfer_due": totals["transferred"] + late + sum(data.partial.values()),
        "transfer_on_time": totals["on_time"],
        "months_filed": [months_filed[m] for m in MONTHS],
        "months_closed": [months_closed[m] for m in MONTHS],
    }
    figures["transfer_rate"] = _rate(figures["transfer_on_time"], figures["transfer_due"])
    return figures


def enforcement_officers(officers: Q, day: datetime.date) -> QuerySet[Officer]:
    """STA-5.2, THE one definition of a certificate holder: the enforcement officers ``officers``
    selects, each with ``certified`` (a certificate valid on ``day``: active, valid_from ≤ day ≤
    valid_to). ``certificate_figures`` counts them; the public list lists the certified ones."""
    return Officer.objects.filter(officers, is_enforcement_officer=True).alias(certified=valid_certificate_exists(day))


def certificate_figures(dscope: DashboardScope, day: datetime.date) -> dict:
    """STA-5.2: enforcement officers in scope, those holding a certificate valid on ``day``, and
    the rate (持证率). One query. The dashboard, the statistics report's prefill and the public
    list's count (``public_holder_count``) read it."""
    found = list(
        enforcement_officers(dscope.officers(), day)
        .values("is_enforcement_officer")  # fixed by the filter: one group
        .annotate(officers=Count("pk"), holders=Count("pk", filter=Q(certified=True)))
        .values("officers", "holders")
        .order_by()
    )
    figures = found[0] if found else {"officers": 0, "holders": 0}
    figures["rate"] = _rate(figures["holders"], figures["officers"])
    figures["day"] = day
    return figures


def department_table(
    dscope: DashboardScope, year: int, today: datetime.date, period: str = "year", *, data: Rollup | None = None
) -> list[Unit]:
    """Per department: filed, closed, 罚没金额, hearings in ``year``, and closed files now overdue
    for transfer (REV-5, REV-12 excluded); most filed first. The departments, and ``rollup``."""
    data = data or rollup(dscope, year, today, period)
    departments = [Unit(**row) for row in (dscope.departments().values("pk", "name", "short_name", "order"))]
    rows: dict[int, dict] = {}
    for cell in data.cells:
        row = rows.setdefault(cell["department_id"], dict.fromkeys(COUNTERS, 0))
        for c in ("filed", "closed", "amount_cents", "hearings"):
            row[c] += cell[c]
    for d in departments:
        row = rows.get(d.pk) or dict.fromkeys(COUNTERS, 0)
        d.filed, d.closed, d.hearings = row["filed"], row["closed"], row["hearings"]
        d.amount = _amount(row["amount_cents"])
        d.overdue = data.overdue.get(d.pk, 0)
    departments.sort(key=lambda d: (-d.filed, d.order, d.pk))
    return departments


def category_figures(dscope: DashboardScope, year: int, period: str = "year") -> list[Category]:
    """STA-5.3 per case category, THE one definition of filed / closed / hearings / 罚没金额 by
    category (the dashboard's category table and the statistics report's 行政处罚 figures read
    it): files filed, closed, with a hearing held (of files filed in the period) and fine +
    confiscation (of files decided in the period), every active category, zeros included, in
    reference order. Two queries (categories, the summary)."""
    # A county from its county summary (one row per category and month), not its departments'
    # (thirty-odd times as many rows, joined to the department for the region); a department from its own rows.
    if dscope.department_id is None:
        rows = CountyMonthSummary.objects.filter(region_id=dscope.region_id)
    else:
        rows = CaseMonthSummary.objects.filter(department_id=dscope.department_id)
    counts = {
        r["category_id"]: r
        for r in (
            rows.filter(_period_months(year, period))
            .values("category_id")
            .annotate(
                s_filed=_sum("filed"),
                s_closed=_sum("closed"),
                s_hearings=_sum("hearings"),
                s_amount=_sum("amount_cents"),
            )
            .order_by()
        )
    }
    categories = [
        Category(**row)
        for row in (
            CaseCategory.objects.filter(is_active=True).values("pk", "code", "name", "order").order_by("order", "id")
        )
    ]
    for c in categories:
        row = counts.get(c.pk, {})
        c.filed, c.closed = row.get("s_filed", 0), row.get("s_closed", 0)
        c.hearings, c.amount = row.get("s_hearings", 0), _amount(row.get("s_amount"))
    return categories


def category_row(categories: list[Category], code: str) -> Category | None:
    """The row of the category with ``code`` (e.g. ``punishment``) among ``category_figures``."""
    return next((c for c in categories if c.code == code), None)


def transfer_by_department(
    dscope: DashboardScope, year: int, today: datetime.date, period: str = "year", *, data: Rollup | None = None
) -> dict:
    """REV-5/REV-6 proxy per department: files closed in the period (REV-12 excluded) whose
    transfer is due, and those transferred within the days allowed (from ``rollup``)."""
    data = data or rollup(dscope, year, today, period)
    sums: dict[int, list[int]] = {}
    for cell in data.cells:
        row = sums.setdefault(cell["department_id"], [0, 0, 0])  # transferred, on time, late
        row[0] += cell["transferred"]
        row[1] += cell["on_time"]
        if data.is_late_month(cell["month"]):
            row[2] += cell["reviewable_closed"] - cell["transferred"]
    partial = dict(data.partial)
    out = {}
    for department_id, (transferred, on_time, late) in sums.items():
        due = transferred + late + partial.pop(department_id, 0)
        if due or on_time:
            out[department_id] = (on_time, due)
    for department_id, n in partial.items():
        out[department_id] = (0, n)
    return out


def training_figures(dscope: DashboardScope, year: int, period: str = "year") -> dict:
    """STA-5.1: attendances of officers in scope and their hours in the period. One query."""
    start, end = _year_range(year, period)
    # grouped by the column the filter fixes: one group (none when nobody attended)
    if dscope.department_id:
        q, group = Q(officer__department_id=dscope.department_id), "officer__department_id"
    else:
        q, group = Q(officer__department__region_id=dscope.region_id), "officer__department__region_id"
    found = list(
        TrainingAttendance.objects.filter(q, session__held_on__range=(start, end))
        .values(group)
        .annotate(trainees=Count("pk"), hours=Coalesce(Sum("session__hours"), ZERO))
        .values("trainees", "hours")
        .order_by()
    )
    return found[0] if found else {"trainees": 0, "hours": Decimal("0.00")}


# --- the province dashboard ---------------------------------------------------------------------


def province_regions(region_id: int) -> list[Region]:
    """The counties under a province (or a city): regions with departments whose parent, or
    grandparent (province → city → county), is ``region_id``. One query."""
    return list(
        Region.objects.filter(Q(parent_id=region_id) | Q(parent__parent_id=region_id))
        .filter(Exists(Department.objects.filter(region_id=OuterRef("pk"))))
        .only("id", "code", "name")
        .order_by("code")
    )


def province_figures(region_ids: list[int], year: int, period: str = "year") -> dict:
    """Province statistics (performance.md targets 4 and 5) from the maintained county summary
    only (``CountyMonthSummary``: county × category × month), never the case table: the
    period's figures per county × category and per month. Two queries, each over at most
    counties × categories × 12 rows whatever the number of case files."""
    rows = CountyMonthSummary.objects.filter(region_id__in=region_ids).filter(_period_months(year, period))
    counters = ("filed", "closed", "amount_cents", "hearings", "transferred", "on_time", "reviewable_closed")
    cells = list(rows.values("region_id", "category_id").annotate(**{f"s_{c}": _sum(c) for c in counters}).order_by())
    months = rows.values("month").annotate(s_filed=_sum("filed"), s_closed=_sum("closed")).order_by("month")
    per_month = {r["month"]: r for r in months}
    return {
        "cells": [
            {"region_id": c["region_id"], "category_id": c["category_id"], **{k: c[f"s_{k}"] for k in counters}}
            for c in cells
        ],
        "months_filed": [per_month.get(m, {}).get("s_filed", 0) for m in MONTHS],
        "months_closed": [per_month.get(m, {}).get("s_closed", 0) for m in MONTHS],
    }


def province_years(region_ids: list[int], today: datetime.date) -> list[int]:
    """Years with filings in the province, newest first. One query (county summary)."""
    first = CountyMonthSummary.objects.filter(region_id__in=region_ids, filed__gt=0).aggregate(first=Min("year"))[
        "first"
    ]
    return list(range(today.year, min(first or today.year, today.year) - 1, -1))


# --- the public list of certificate holders ---------------------------------------------------


def _public_scope(*, region_code: str, department_id: int | None) -> Q:
    """The officers the public list covers: of one unit, of one region's units, or all."""
    if department_id is not None:
        return Q(department_id=department_id)
    if region_code:
        return Q(department__region__code=region_code)
    return Q(department__isnull=False)


def public_certificate_holders(
    *, day: datetime.date, region_code: str = "", department_id: int | None = None, query: str = ""
) -> QuerySet:
    """STA-5.2: the certificate holders on ``day`` (``enforcement_officers``, certified: the people
    the dashboard's 持证人数 counts, one row each), as plain values of exactly the published
    columns: name, unit, post, the number and validity of the valid certificate (the one valid
    longest). Personal data (ID number, phone) is never even read from the database."""
    valid = Certificate.objects.filter(
        officer_id=OuterRef("pk"), status=CertificateStatus.ACTIVE, valid_from__lte=day, valid_to__gte=day
    ).order_by("-valid_to", "-id")
    qs = enforcement_officers(_public_scope(region_code=region_code, department_id=department_id), day).filter(
        certified=True
    )
    if query:
        qs = qs.filter(Q(name__icontains=query) | Exists(valid.filter(number__icontains=query)))
    return qs.order_by("department__order", "department_id", "name", "pk").values(
        number=Subquery(valid.values("number")[:1]),
        valid_to=Subquery(valid.values("valid_to")[:1]),
        officer__name=F("name"),
        officer__post=F("post"),
        officer__department_id=F("department_id"),
        officer__department__short_name=F("department__short_name"),
        officer__department__name=F("department__name"),
    )


def public_holder_count(
    *, day: datetime.date, regions: list[Region], region_code: str = "", department: Department | None = None
) -> int | None:
    """The public list's 共 N 人 for a unit or a county: ``certificate_figures``' holders, the
    figure the dashboard and the statistics report show as 持证人数 (STA-5.2). None where no
    dashboard scope covers the list (several counties, none chosen): the list counts itself."""
    if department is not None:
        dscope = DashboardScope(region_id=department.region_id, department_id=department.pk, label="")
    else:
        region = next((r for r in regions if r.code == region_code), None) if region_code else None
        if region is None and not region_code and len(regions) == 1:
            region = regions[0]
        if region is None:
            return None
        dscope = DashboardScope(region_id=region.pk, department_id=None, label="")
    return certificate_figures(dscope, day)["holders"]


def public_regions() -> list[Region]:
    """Regions that have departments (the region filter of the public page). One query."""
    return list(Region.objects.filter(departments__isnull=False).distinct().only("code", "name").order_by("code"))


def public_departments(region_code: str = "") -> list[Department]:
    """Departments for the public page's unit filter. One query."""
    qs = Department.objects.select_related("region").only("id", "name", "short_name", "region__code", "region__name")
    if region_code:
        qs = qs.filter(region__code=region_code)
    return list(qs.order_by("region__code", "order", "id"))
