"""Reads of statistics reports (STA-2, STA-4), limited to what the user may see: county roles
(bureau, review group, leaders) their county's units; a unit's legal office, heads and party
members their own unit. Handlers and administrators see no reports."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xian_enforcement.org.models import Department
from xian_enforcement.org.scoping import scope_for
from xian_enforcement.org.selectors import enforcement_departments

from . import report_layout
from .choices import ReportStatus
from .models import ReportFigure, StatReport
from .services import STA2_KIND, due_date, is_bureau, is_clerk


def can_view_reports(user) -> bool:
    scope = scope_for(user)
    return scope.is_county_wide or scope.reads_department


def require_report_access(user) -> None:
    if not can_view_reports(user):
        raise PermissionDenied(
            _(
                "统计报表（STA-2）只对本单位法制机构、执法机构负责人、党组成员，以及司法局、评查组和县领导开放；"
                "执法人员和系统管理员、安全管理员、审计管理员无权查看。"
            )
        )


def departments_for_reports(user) -> QuerySet[Department]:
    scope = scope_for(user)
    if scope.is_county_wide:
        return enforcement_departments(scope.region_id).order_by("order", "id")
    if scope.reads_department:
        return Department.objects.filter(pk=scope.department_id)
    return Department.objects.none()


def reports_visible_to(user) -> QuerySet[StatReport]:
    return StatReport.objects.filter(department__in=departments_for_reports(user)).select_related("department")


def report_for_user(user, pk: int, *, act: str = "") -> StatReport:
    """The one helper that fetches a report: 404 outside the user's jurisdiction; 403 when they
    may read it but not ``act`` ("clerk": fill in and submit, STA-2; "bureau": accept or return,
    STA-4)."""
    require_report_access(user)
    report = reports_visible_to(user).select_related("department__region").filter(pk=pk).first()
    if report is None:
        raise Http404(_("没有找到该统计报表，或不在您的管辖范围内。"))
    if act == "clerk" and not is_clerk(user, report):
        raise PermissionDenied(_("您可以查看该报表，但只有本单位法制机构人员或负责人可以填报和报送（STA-2）。"))
    if act == "bureau" and not is_bureau(user, report.department.region_id):
        raise PermissionDenied(_("您可以查看该报表，但只有县司法局工作人员可以审核（STA-4）。"))
    return report


@dataclass
class UnitStatus:
    department: Department
    report: StatReport | None
    status: str
    status_label: str
    overdue: bool


# The caption beside every "overdue statistics reports" figure (one definition).
OVERDUE_DEFINITION = gettext_lazy("逾期统计报表：所选期间的统计报表，报送期限已过仍未报送（未开始、草稿或被退回）")


def report_overdue(status: str, year: int, period: str, today: datetime.date) -> bool:
    """STA-2, THE one definition of an overdue report: the period's due date has passed and the
    report is not submitted or accepted (not started, draft, or returned)."""
    return today > due_date(year, period) and status not in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


def overdue_reports(department_ids: list[int], year: int, period: str, today: datetime.date) -> dict[int, int]:
    """Per unit of ``department_ids``: 1 when its report of ``year`` / ``period`` is overdue
    (``report_overdue``), else 0. The statistics dashboard and the report list (through
    ``county_status``) count the same. One query (none before the due date)."""
    if today <= due_date(year, period):
        return dict.fromkeys(department_ids, 0)
    statuses = dict(
        StatReport.objects.filter(department_id__in=department_ids, year=year, period=period).values_list(
            "department_id", "status"
        )
    )
    return {
        pk: int(report_overdue(statuses.get(pk, ReportStatus.NOT_STARTED), year, period, today))
        for pk in department_ids
    }


def county_status(user, year: int, period: str, today: datetime.date) -> list[UnitStatus]:
    """STA-4: every unit's report status for the period at a glance (not started / draft /
    submitted / returned / accepted, and overdue: ``report_overdue``). Two queries."""
    require_report_access(user)
    departments = list(departments_for_reports(user))
    reports = {
        r.department_id: r
        for r in StatReport.objects.filter(department__in=departments, year=year, period=period).only(
            "id", "department_id", "status", "submitted_at", "decided_at", "year", "period"
        )
    }
    labels = dict(ReportStatus.choices)
    rows = []
    for d in departments:
        r = reports.get(d.pk)
        status = r.status if r else ReportStatus.NOT_STARTED
        rows.append(UnitStatus(d, r, status, str(labels[status]), report_overdue(status, year, period, today)))
    return rows


def open_deadline(report: StatReport):
    from django.contrib.contenttypes.models import ContentType

    from xian_enforcement.notices.models import Deadline

    return (
        Deadline.objects.filter(
            kind=STA2_KIND,
            content_type=ContentType.objects.get_for_model(StatReport),
            object_id=report.pk,
        )
        .prefetch_related("extensions")
        .first()
    )


@dataclass
class Aggregate:
    tables: list
    units: list[Department]
    values: dict  # (department_id, key) → Decimal | "no_duty" | str
    totals: dict  # key → Decimal | str


def county_aggregate(user, year: int, period: str) -> Aggregate:
    """STA-4: accepted reports of the period, figure by figure per unit, and county totals
    (sum of the unit rows; "无相关职责" counts as nothing). Three queries."""
    require_report_access(user)
    tables = report_layout.tables()
    units = list(
        departments_for_reports(user).filter(
            stat_reports__year=year, stat_reports__period=period, stat_reports__status=ReportStatus.ACCEPTED
        )
    )
    values: dict = {}
    totals: dict = {}
    rows = ReportFigure.objects.filter(
        report__department__in=units, report__year=year, report__period=period, report__status=ReportStatus.ACCEPTED
    ).values_list("report__department_id", "key", "value", "no_duty", "text")
    for dept_id, key, value, no_duty, text in rows:
        if text:
            values[(dept_id, key)] = text
        elif no_duty:
            values[(dept_id, key)] = "no_duty"
        elif value is not None:
            values[(dept_id, key)] = value
            totals[key] = totals.get(key, Decimal(0)) + value
    return Aggregate(tables, units, values, totals)


def report_tables(report: StatReport) -> list[tuple]:
    """(table, [(figure, row)]) of one report, in form order. Two queries."""
    rows = {f.key: f for f in report.figures.all()}
    return [(t, [(f, rows.get(f.key)) for f in t.figures]) for t in report_layout.tables()]
