"""Values the regulation leaves open (settings.RULES overrides DEFAULTS)."""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    # TOL-14c: notify the decision within N days; reminder on day 5, overdue notice the day after.
    "TOL_14C_NOTIFY_DAYS": 7,
    "TOL_14C_REMIND_DAYS": [5],
    # TOL-17: default correction period, and reminders this many days before the deadline.
    "TOL_17_DEFAULT_DAYS": 30,
    "TOL_17_REMIND_BEFORE_DAYS": 3,
    # TOL-18: risk warning thresholds over a window of N days.
    "TOL_18_DEPT_THRESHOLD": 3,
    "TOL_18_COUNTY_THRESHOLD": 5,
    "TOL_18_WINDOW_DAYS": 365,
}


def rule(key: str):
    return settings.RULES.get(key, DEFAULTS[key])
