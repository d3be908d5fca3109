"""Panels this room adds to the home page (the unit's open report, STA-2) and to an officer's
page (training hours per year, STA-5.1)."""

from __future__ import annotations

from xian_enforcement.org.scoping import scope_for

from .choices import EDITABLE_STATUSES
from .models import StatReport
from .training import officer_hours_by_year


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
