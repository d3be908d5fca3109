"""Home-page and officer-page panels. The core imports no domain app (architecture.md), so each domain app
registers the panels it contributes in its ``AppConfig.ready``; the home view renders them in
registration order. A panel is ``func(user, today) -> dict | None`` returning a template name and
its context, or None when it has nothing to show this user."""

from __future__ import annotations

import datetime
from collections.abc import Callable

Panel = Callable[[object, datetime.date], dict | None]
_PANELS: list[Panel] = []


def register_home_panel(func: Panel) -> Panel:
    if func not in _PANELS:
        _PANELS.append(func)
    return func


def panels_for(user, today: datetime.date) -> list[dict]:
    return [p for p in (panel(user, today) for panel in _PANELS) if p]


# Officer page: ``func(officer, user) -> dict | None`` (template name and context), so that
# rooms above the core (training hours, clarifications, assessments) show on the officer's record.
OfficerPanel = Callable[[object, object], dict | None]
_OFFICER_PANELS: list[OfficerPanel] = []


def register_officer_panel(func: OfficerPanel) -> OfficerPanel:
    if func not in _OFFICER_PANELS:
        _OFFICER_PANELS.append(func)
    return func


def officer_panels_for(officer, user) -> list[dict]:
    return [p for p in (panel(officer, user) for panel in _OFFICER_PANELS) if p]
