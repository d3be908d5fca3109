"""Panels on a case file's page contributed by rooms above ``cases`` (self-review records and
notices, REV-7: "kept with the case file"; tolerance applications, TOL-15). ``cases`` imports
none of them: each room registers ``func(user, case) -> dict | None`` (a template name and its
context) from its ``AppConfig.ready``."""

from __future__ import annotations

from collections.abc import Callable

CasePanel = Callable[[object, object], dict | None]
_PANELS: list[CasePanel] = []


def register_case_panel(func: CasePanel) -> CasePanel:
    if func not in _PANELS:
        _PANELS.append(func)
    return func


def case_panels_for(user, case) -> list[dict]:
    return [p for p in (panel(user, case) for panel in _PANELS) if p]
