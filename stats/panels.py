"""Panels this room adds to the home page (this year's case figures, STA-5.3 and REV-5; the
unit's open report, STA-2) and to an officer's page (training hours per year, STA-5.1)."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from xian_enforcement.org.scoping import scope_for

from . import selectors
from .choices import EDITABLE_STATUSES
from .definitions import definitions
from .models import StatReport
from .training import officer_hours_by_year


def case_figures_panel(user, today: datetime.date) -> dict | None:
    """This year's 立案, 结案, 罚没金额 and 本期结案逾期未移交 of the user's dashboard scope (the
    county, or the department), read by the dashboard's own selectors (``rollup``,
    ``case_figures``, ``department_table``: one definition) and captioned with their
    definitions. None for those the dashboard refuses (administrators, no role)."""
    try:
        dscope = selectors.dashboard_scope(user)
    except PermissionDenied:
        return None
    data = selectors.rollup(dscope, today.year, today)
    figures = selectors.case_figures(dscope, today.year, today, data=data)
    figures["overdue_transfers"] = sum(data.overdue.values())
    if dscope.is_county:
        title = _("全县 %(year)s 年案卷") % {"year": today.year}
    else:
        title = _("本部门 %(year)s 年案卷") % {"year": today.year}
    return {
        "template": "statistics/_home_figures.html",
        "title": title,
        "year": today.year,
        "unit": dscope.department_id or "",
        "figures": figures,
        "defs": definitions(),
    }


def report_home_panel(user, today):
    """The legal office sees its unit's reports still to be submitted (STA-2)."""
    scope = scope_for(user)
    if not scope.writes_department:
        return None
    reports = list(
        StatReport.objects.filter(department_id=scope.department_id, status__in=EDITABLE_STATUSES).order_by(
            "-year", "period"
        )[:4]
    )
    if not reports:
        return None
    return {"template": "statistics/_home_reports.html", "stat_reports": reports}


def officer_training_panel(officer, user):
    rows = officer_hours_by_year(officer.pk)
    return {"template": "statistics/_officer_training.html", "training_years": rows}
