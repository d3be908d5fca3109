"""The statistics room's entry: a first leaders' dashboard computed from the case records
(STA-5.2, STA-5.3, REV-5). Statistics reports (STA-2 … STA-5.4) arrive with the statistics issue."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import CaseCategory

from . import dashboard_cache, selectors
from .definitions import definitions


@login_required
def index(request):
    return redirect("statistics:dashboard")


def _year(request, today: datetime.date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except (TypeError, ValueError):
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def period_months(period: str) -> list[int]:
    """The months of the chosen period (H1: January–June): the charts draw no other month."""
    start, end = selectors._year_range(2000, period)
    return list(range(start.month, end.month + 1))


def _months_so_far(values: list[int], year: int, today: datetime.date, period: str = "year") -> list[int | None]:
    """The period's months only; months that have not begun yet carry no figure (None), so the
    chart does not draw a fall to zero at the end of the current year."""
    return [None if (year, m) > (today.year, today.month) else values[m - 1] for m in period_months(period)]


def _period_name(year: int, period: str) -> str:
    return _("%(year)s年上半年") % {"year": year} if period == "half" else _("%(year)s年") % {"year": year}


def _chart_data(year: int, figures: dict, categories: list, today: datetime.date, period: str = "year") -> dict:
    """What ``static/js/dashboard.js`` draws, with titles that state the finding (ux.md)."""
    month_title = _("%(period)s立案 %(filed)s 件，结案 %(closed)s 件") % {
        "period": _period_name(year, period),
        "filed": intcomma(figures["filed"]),
        "closed": intcomma(figures["closed"]),
    }
    top = max(categories, key=lambda c: c.filed, default=None)
    if top is not None and top.filed:
        category_title = _("%(name)s立案最多：%(n)s 件，占全部立案的 %(pct)s%%") % {
            "name": top.name,
            "n": intcomma(top.filed),
            "pct": round(100 * top.filed / figures["filed"]) if figures["filed"] else 100,
        }
    else:
        category_title = _("%(period)s尚无立案") % {"period": _period_name(year, period)}
    return {
        "year": year,
        "labels": {"filed": _("立案"), "closed": _("结案"), "unit": _("件")},
        "month": {
            "title": month_title,
            "x": [_("%(m)s月") % {"m": m} for m in period_months(period)],
            "filed": _months_so_far(figures["months_filed"], year, today, period),
            "closed": _months_so_far(figures["months_closed"], year, today, period),
        },
        "category": {
            "title": category_title,
            "x": [c.name for c in categories],
            "filed": [c.filed for c in categories],
            "closed": [c.closed for c in categories],
        },
    }


def _labelled(counts: dict, choices) -> list[dict]:
    """[{name, value}] in the order of the choices (every choice present), for a pie chart."""
    return [{"name": str(label), "value": int(counts.get(code, 0))} for code, label in choices]


def _grades(user, year: int, period: str) -> list[dict]:
    """REV-15 grades of locked self-reviews of files closed in the period (the review room's
    interface)."""
    from reviews.choices import Grade
    from reviews.selectors import grade_distribution

    return _labelled(grade_distribution(user, year, period) or {}, Grade.choices)


def _outcomes(user, year: int, period: str) -> list[dict]:
    """TOL-10 … TOL-13 exemption decisions of the period (the tolerance room's interface)."""
    from tolerance.choices import Outcome
    from tolerance.selectors import decision_outcomes

    return _labelled(decision_outcomes(user, year, period) or {}, Outcome.choices)


def _below_target(departments, coverage: dict, transfers: dict, reports: dict, summaries: dict) -> list[dict]:
    """Units below target in the period: self-review rate under 100% (REV-6, the review room's
    ``coverage_by_department``), transfers not all on time (REV-5), an overdue statistics report
    of the period (STA-2) or an overdue half-year summary of its halves (REV-9)."""
    rows = []
    for d in departments:
        reviewed, reviewable, rate = coverage.get(d.pk, (0, 0, None))
        on_time, due = transfers.get(d.pk, (0, 0))
        transfer_rate = selectors._rate(on_time, due)
        late_reports, late_summaries = reports.get(d.pk, 0), summaries.get(d.pk, 0)
        below = (rate is not None and rate < 100) or (transfer_rate is not None and transfer_rate < 100)
        if below or late_reports or late_summaries:
            rows.append(
                {
                    "department": d,
                    "rate": rate,
                    "reviewed": reviewed,
                    "reviewable": reviewable,
                    "transfer_rate": transfer_rate,
                    "on_time": on_time,
                    "due": due,
                    "reports": late_reports,
                    "summaries": late_summaries,
                }
            )
    rows.sort(key=lambda r: (r["rate"] if r["rate"] is not None else 101, -r["reports"] - r["summaries"]))
    return rows


def _period(request) -> str:
    return "half" if request.GET.get("period") == "half" else "year"


def _aggregates(dscope: selectors.DashboardScope, year: int, today: datetime.date, period: str) -> dict:
    """Everything the dashboard reads that depends only on the scope, year, period and today:
    what ``dashboard_cache`` keeps (not the grades and outcomes, which depend on the user)."""
    from reviews.half_year_summaries import halves_of, summary_standing
    from reviews.selectors import coverage_by_department

    from .report_selectors import overdue_reports

    # Certificates are counted as they stand today, or at the end of a past period.
    start, end = selectors._year_range(year, period)
    data = selectors.rollup(dscope, year, today, period)  # shared by the three below
    departments = selectors.department_table(dscope, year, today, period, data=data)
    ids = [d.pk for d in departments]
    coverage = coverage_by_department(dscope.region_id, dscope.department_id, start, end)
    standing = summary_standing(dscope.region_id, dscope.department_id, year, halves_of(period), today)
    return {
        "years": selectors.available_years(dscope, today),
        "figures": selectors.case_figures(dscope, year, today, period, data=data),
        "certificates": selectors.certificate_figures(dscope, min(today, end)),
        "departments": departments,
        "categories": selectors.category_figures(dscope, year, period),
        "transfers": selectors.transfer_by_department(dscope, year, today, period, data=data),
        # REV-6, STA-2, REV-9 of the chosen period (never today's or another year's)
        "coverage": {c.pk: (c.reviewed, c.reviewable, c.rate) for c in coverage},
        "reports": overdue_reports(ids, year, period, today),
        "summaries": {pk: s.overdue for pk, s in standing.items()},
        "training": selectors.training_figures(dscope, year, period),
    }


def _province_aggregates(dscope: selectors.DashboardScope, year: int, today: datetime.date, period: str) -> dict:
    regions = selectors.province_regions(dscope.region_id)
    ids = [r.pk for r in regions]
    return {
        "regions": regions,
        "categories": list(CaseCategory.objects.filter(is_active=True).only("id", "name", "order")),
        "years": selectors.province_years(ids, today),
        "figures": selectors.province_figures(ids, year, period),
    }


def _province_dashboard(request, dscope: selectors.DashboardScope, year: int, today: datetime.date, period: str):
    """performance.md targets 4 and 5: the province's statistics, county × category × month,
    from the maintained summary only (its time does not grow with the case files)."""
    key = dashboard_cache.dashboard_key(
        region_id=dscope.region_id, department_id=None, year=year, period=period, today=today, kind="province"
    )
    aggregates = dashboard_cache.cached(key, lambda: _province_aggregates(dscope, year, today, period))
    regions, categories, figures = aggregates["regions"], aggregates["categories"], aggregates["figures"]
    years = aggregates["years"]
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    counters = ("filed", "closed", "amount_cents", "hearings", "transferred", "on_time")
    by_county = {r.pk: dict.fromkeys(counters, 0) | {"by_category": {}} for r in regions}
    by_category = {c.pk: {"filed": 0, "closed": 0} for c in categories}
    totals = dict.fromkeys(counters, 0)
    for cell in figures["cells"]:
        county = by_county.get(cell["region_id"])
        if county is None:
            continue
        for c in counters:
            county[c] += cell[c]
            totals[c] += cell[c]
        county["by_category"][cell["category_id"]] = cell["filed"]
        if cell["category_id"] in by_category:
            by_category[cell["category_id"]]["filed"] += cell["filed"]
            by_category[cell["category_id"]]["closed"] += cell["closed"]
    rows = [
        {
            "region": r,
            **by_county[r.pk],
            "amount": selectors._amount(by_county[r.pk]["amount_cents"]),
            "cells": [by_county[r.pk]["by_category"].get(c.pk, 0) for c in categories],
        }
        for r in regions
    ]
    rows.sort(key=lambda row: (-row["filed"], row["region"].code))
    months_filed = _months_so_far(figures["months_filed"], year, today, period)
    months_closed = _months_so_far(figures["months_closed"], year, today, period)
    month_labels = [_("%(m)s月") % {"m": m} for m in period_months(period)]
    return render(
        request,
        "statistics/province.html",
        {
            **_frame(dscope, year, period, years, today),
            "rows": rows,
            "categories": [(c, by_category[c.pk]) for c in categories],
            "totals": totals | {"amount": selectors._amount(totals["amount_cents"])},
            "defs": definitions(),
            "transfer_days": settings.RULES["REV_5_TRANSFER_DAYS"],
            "months": list(zip(month_labels, months_filed, months_closed, strict=True)),
        },
    )


def _frame(dscope, year: int, period: str, years: list[int], today: datetime.date) -> dict:
    """What both dashboards' head (title, period form, breadcrumbs) reads."""
    return {
        "crumbs": [(_("统计"), None)],
        "dscope": dscope,
        "year": year,
        "period": period,
        "years": years,
        "today": today,
    }


@login_required
def dashboard(request):
    dscope = selectors.dashboard_scope(request.user)
    today = timezone.localdate()
    year = _year(request, today)
    period = _period(request)
    if dscope.has_counties:
        return _province_dashboard(request, dscope, year, today, period)
    key = dashboard_cache.dashboard_key(
        region_id=dscope.region_id, department_id=dscope.department_id, year=year, period=period, today=today
    )
    aggregates = dashboard_cache.cached(key, lambda: _aggregates(dscope, year, today, period))
    years = aggregates["years"]
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    figures, certificates = aggregates["figures"], aggregates["certificates"]
    departments, categories = aggregates["departments"], aggregates["categories"]
    transfers, training = aggregates["transfers"], aggregates["training"]
    coverage, reports, summaries = aggregates["coverage"], aggregates["reports"], aggregates["summaries"]
    data = _chart_data(year, figures, categories, today, period)
    ranked = [d for d in departments if d.filed or d.closed][:15]
    data["unit"] = {
        "title": _("各单位立案数排名（前 %(n)s 名）") % {"n": len(ranked)},
        "x": [d.short_name or d.name for d in ranked],
        "filed": [d.filed for d in ranked],
        "closed": [d.closed for d in ranked],
    }
    data["grades"] = _grades(request.user, year, period)
    data["outcomes"] = _outcomes(request.user, year, period)
    reviewed = sum(c[0] for c in coverage.values())
    reviewable = sum(c[1] for c in coverage.values())
    totals = {
        key: sum((getattr(d, key) for d in departments), start=0) for key in ("filed", "closed", "amount", "hearings")
    }
    months = list(zip(data["month"]["x"], data["month"]["filed"], data["month"]["closed"], strict=True))
    return render(
        request,
        "statistics/dashboard.html",
        {
            **_frame(dscope, year, period, years, today),
            "figures": figures,
            "certificates": certificates,
            "departments": departments,
            "totals": totals,
            "overdue_units": sum(1 for d in departments if d.overdue),
            "transfer_days": settings.RULES["REV_5_TRANSFER_DAYS"],
            "categories": categories,
            "months": months,
            "data": data,
            "training": training,
            "period_name": _period_name(year, period),
            "defs": definitions(),
            "coverage": {"reviewed": reviewed, "reviewable": reviewable, "rate": selectors._rate(reviewed, reviewable)},
            "overdue": {
                "transfers": sum(d.overdue for d in departments),
                "reports": sum(reports.values()),
                "summaries": sum(summaries.values()),
            },
            "overdue_total": sum(d.overdue for d in departments) + sum(reports.values()) + sum(summaries.values()),
            "below_target": _below_target(departments, coverage, transfers, reports, summaries),
            "has_grades": any(g["value"] for g in data["grades"]),
            "has_outcomes": any(o["value"] for o in data["outcomes"]),
        },
    )
