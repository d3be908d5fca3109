"""Statistics report pages (STA-2 … STA-5.4): the period's status of every unit with the county
aggregate and export (STA-4), one report with its figures, recorded values and errors, and the
workflow actions. Views are thin: a selector or a service, then render or redirect."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xian_enforcement.audit.services import EventType, audit_event_record
from xian_enforcement.errors import DomainError, message_error
from xian_enforcement.jobs.views import export_in_background
from xian_enforcement.org.scoping import scope_for

from . import report_layout, services
from . import report_selectors as selectors
from .choices import EDITABLE_STATUSES, Period, ReportStatus, period_label
from .export_jobs import county_workbook_for
from .exports import unit_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def default_period(today: datetime.date) -> tuple[int, str]:
    """The period most recently ended: H1 from July on, otherwise last year."""
    if today.month >= 7:
        return today.year, Period.HALF_YEAR
    return today.year - 1, Period.YEAR


def _period(request, today: datetime.date) -> tuple[int, str]:
    year, period = default_period(today)
    try:
        y = int(request.GET.get("year", year))
        year = y if 2000 <= y <= today.year else year
    except (TypeError, ValueError):
        pass
    p = request.GET.get("period", period)
    return year, p if p in Period.values else period


@login_required
def report_list(request):
    selectors.require_report_access(request.user)
    today = timezone.localdate()
    year, period = _period(request, today)
    rows = selectors.county_status(request.user, year, period, today)
    counts = dict.fromkeys(ReportStatus.values, 0)
    for row in rows:
        counts[row.status] += 1
    aggregate = selectors.county_aggregate(request.user, year, period) if len(rows) > 1 else None
    clerk_department = next(
        (r.department for r in rows if services.is_clerk(request.user, r.report or _Probe(r.department.pk))), None
    )
    return render(
        request,
        "statistics/report_list.html",
        {
            "crumbs": [(_("统计"), reverse("statistics:dashboard")), (_("统计报表"), None)],
            "rows": rows,
            "year": year,
            "period": period,
            "period_label": period_label(year, period),
            "years": list(range(today.year, today.year - 6, -1)),
            "periods": Period.choices,
            "due": services.due_date(year, period),
            "counts": counts,
            "overdue_count": sum(1 for r in rows if r.overdue),
            "reports_definition": selectors.OVERDUE_DEFINITION,
            "aggregate": aggregate,
            "summary": _summary(aggregate),
            "clerk_department": clerk_department,
            "is_bureau": bool(rows) and services.is_bureau(request.user, rows[0].department.region_id),
        },
    )


SUMMARY_KEYS = ["filed", "closed", "penalty_total", "penalty_amount", "hearings", "inspections"]


def _summary(aggregate) -> list[tuple]:
    if aggregate is None:
        return []
    figures = report_layout.figures_by_key(aggregate.tables)
    return [
        (figures[k][1].label, figures[k][1].kind, aggregate.totals.get(k, Decimal(0)))
        for k in SUMMARY_KEYS
        if k in figures
    ]


class _Probe:
    """A stand-in report for asking "may this user fill in this unit's report?"."""

    def __init__(self, department_id: int):
        self.department_id = department_id


@login_required
@require_POST
def report_start(request):
    selectors.require_report_access(request.user)
    department = selectors.departments_for_reports(request.user).filter(pk=request.POST.get("department")).first()
    if department is None:
        messages.error(request, _("没有找到该单位，或不在您的管辖范围内。"))
        return redirect("statistics:reports")
    try:
        year = int(request.POST.get("year", ""))
        report = services.report_start(
            department=department, year=year, period=request.POST.get("period", ""), by=request.user
        )
    except (ValueError, DomainError) as exc:
        messages.error(request, getattr(exc, "message", _("年度无效。")))
        return redirect("statistics:reports")
    messages.success(request, _("已按系统记录预填报表，请核对后报送。"))
    return redirect("statistics:report", report.pk)


def _post_data(post) -> dict[str, dict]:
    data = {}
    for key in {k[2:] for k in post if k[:2] in ("v_", "t_", "n_")}:
        entry = {
            "value": post.get(f"v_{key}", ""),
            "no_duty": post.get(f"n_{key}") == "1",
            "reason": post.get(f"r_{key}", ""),
        }
        if f"t_{key}" in post:
            entry["text"] = post.get(f"t_{key}", "")
        data[key] = entry
    return data


@login_required
def report_detail(request, pk: int):
    report = selectors.report_for_user(request.user, pk, act="clerk" if request.method == "POST" else "")
    save_errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            save_errors = services.report_figures_save(report=report, by=request.user, data=_post_data(request.POST))
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("statistics:report", report.pk)
        if not save_errors:
            messages.success(request, _("报表已保存。"))
            return redirect("statistics:report", report.pk)
        messages.error(request, _("有 %(n)s 项填写有误，未保存任何修改。") % {"n": len(save_errors)})
    report.refresh_from_db()
    can_edit = services.is_clerk(request.user, report) and report.status in EDITABLE_STATUSES
    errors = services.report_errors(report) if report.status != ReportStatus.NOT_STARTED else {}
    for key, msg in save_errors.items():
        errors[key] = [msg]
    posted = request.POST if save_errors else None
    tables = selectors.report_tables(report)
    sections = [(t, [_item(f, r, errors, posted) for f, r in rows]) for t, rows in tables]
    return render(
        request,
        "statistics/report_detail.html",
        {
            "crumbs": [
                (_("统计"), reverse("statistics:dashboard")),
                (_("统计报表"), reverse("statistics:reports") + f"?year={report.year}&period={report.period}"),
                (str(report), None),
            ],
            "report": report,
            "sections": sections,
            "error_count": len(errors),
            "can_edit": can_edit,
            "can_decide": report.status == ReportStatus.SUBMITTED
            and services.is_bureau(request.user, report.department.region_id),
            "deadline": selectors.open_deadline(report),
            "differences": sum(1 for _t, rows in tables for _f, r in rows if r is not None and r.differs),
            "period_label": period_label(report.year, report.period),
        },
    )


def _plain(value) -> str:
    if value is None:
        return ""
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value)


def _item(fig, row, errors: dict, posted) -> dict:
    """What the page shows for one figure: the stored (or just posted) entry and its errors."""
    item = {"fig": fig, "row": row, "errors": errors.get(fig.key, [])}
    if posted is not None:
        item |= {
            "value": posted.get(f"v_{fig.key}", ""),
            "no_duty": posted.get(f"n_{fig.key}") == "1",
            "reason": posted.get(f"r_{fig.key}", ""),
            "text": posted.get(f"t_{fig.key}", ""),
        }
    elif row is not None:
        item |= {"value": _plain(row.value), "no_duty": row.no_duty, "reason": row.reason, "text": row.text}
    item["recorded"] = _plain(row.recorded) if row is not None else ""
    return item


def _act(request, pk: int, act: str, action, success: str):
    report = selectors.report_for_user(request.user, pk, act=act)
    try:
        action(report)
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(request, success)
    return redirect("statistics:report", report.pk)


@login_required
@require_POST
def report_refresh(request, pk: int):
    return _act(
        request, pk, "clerk", lambda r: services.report_refresh(report=r, by=request.user), _("已重新按系统记录取数。")
    )


@login_required
@require_POST
def report_submit(request, pk: int):
    return _act(
        request, pk, "clerk", lambda r: services.report_submit(report=r, by=request.user), _("报表已报送县司法局。")
    )


@login_required
@require_POST
def report_accept(request, pk: int):
    return _act(
        request,
        pk,
        "bureau",
        lambda r: services.report_accept(report=r, by=request.user),
        _("报表已审核通过，计入全县汇总。"),
    )


@login_required
@require_POST
def report_return(request, pk: int):
    reason = request.POST.get("reason", "")
    return _act(
        request,
        pk,
        "bureau",
        lambda r: services.report_return(report=r, by=request.user, reason=reason),
        _("报表已退回，并已通知报送人。"),
    )


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
def report_export(request, pk: int):
    report = selectors.report_for_user(request.user, pk)
    label = period_label(report.year, report.period)
    content = unit_workbook(report, selectors.report_tables(report), period_label=label)
    audit_event_record(event_type=EventType.EXPORT, user=request.user, obj=report, detail={"kind": "statistics_unit"})
    return _xlsx(content, f"statistics-{report.department.code}-{report.year}-{report.period}.xlsx")


@login_required
def county_export(request):
    """STA-4: the county report, from the same permission-limited data as the status page.
    County-wide, it is always a background job (exports never run in a web request),
    made by stats.export_jobs.county_job_write and audited when it is; a unit's own is direct."""
    selectors.require_report_access(request.user)
    today = timezone.localdate()
    year, period = _period(request, today)
    if scope_for(request.user).is_county_wide:
        return export_in_background(
            request,
            kind="statistics_county",
            title=_("全县行政执法统计汇总表 %(period)s") % {"period": period_label(year, period)},
            params={"year": year, "period": period},
            filter_summary=period_label(year, period),
        )
    content, _units = county_workbook_for(request.user, year, period)
    audit_event_record(
        event_type=EventType.EXPORT,
        user=request.user,
        detail={"kind": "statistics_county", "year": year, "period": period},
    )
    return _xlsx(content, f"statistics-county-{year}-{period}.xlsx")
