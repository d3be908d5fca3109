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

from . import selectors


@login_required
def index(request):
    return redirect("statistics:dashboard")


def _year(request, today: datetime.date) -> int:
    try:
        year = int(request.GET.get("year", today.year))
    except (TypeError, ValueError):
        return today.year
    return year if 2000 <= year <= today.year + 1 else today.year


def _months_so_far(values: list[int], year: int, today: datetime.date) -> list[int | None]:
    """Months that have not begun yet carry no figure (None), so the chart does not draw a fall
    to zero at the end of the current year."""
    if year < today.year:
        return values
    return [
        v if m <= today.month and year == today.year else None for m, v in zip(selectors.MONTHS, values, strict=True)
    ]


def _chart_data(year: int, figures: dict, categories: list, today: datetime.date) -> dict:
    """What ``static/js/dashboard.js`` draws, with titles that state the finding (ux.md)."""
    month_title = _("%(year)s年立案 %(filed)s 件，结案 %(closed)s 件") % {
        "year": year,
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
        category_title = _("%(year)s年尚无立案") % {"year": year}
    return {
        "year": year,
        "labels": {"filed": _("立案"), "closed": _("结案"), "unit": _("件")},
        "month": {
            "title": month_title,
            "x": [_("%(m)s月") % {"m": m} for m in selectors.MONTHS],
            "filed": _months_so_far(figures["months_filed"], year, today),
            "closed": _months_so_far(figures["months_closed"], year, today),
        },
        "category": {
            "title": category_title,
            "x": [c.name for c in categories],
            "filed": [c.filed for c in categories],
            "closed": [c.closed for c in categories],
        },
    }


@login_required
def dashboard(request):
    dscope = selectors.dashboard_scope(request.user)
    today = timezone.localdate()
    year = _year(request, today)
    years = selectors.available_years(dscope, today)
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    figures = selectors.case_figures(dscope, year, today)
    # Certificates are counted as they stand today, or at the end of a past year.
    certificates = selectors.certificate_figures(dscope, min(today, datetime.date(year, 12, 31)))
    departments = selectors.department_table(dscope, year, today)
    categories = selectors.category_figures(dscope, year)
    data = _chart_data(year, figures, categories, today)
    totals = {
        key: sum((getattr(d, key) for d in departments), start=0) for key in ("filed", "closed", "amount", "hearings")
    }
    months = list(zip(data["month"]["x"], data["month"]["filed"], data["month"]["closed"], strict=True))
    return render(
        request,
        "statistics/dashboard.html",
        {
            "crumbs": [(_("统计"), None)],
            "dscope": dscope,
            "year": year,
            "years": years,
            "today": today,
            "figures": figures,
            "certificates": certificates,
            "departments": departments,
            "totals": totals,
            "overdue_units": sum(1 for d in departments if d.overdue),
            "transfer_days": settings.RULES["REV_5_TRANSFER_DAYS"],
            "categories": categories,
            "months": months,
            "data": data,
        },
    )
