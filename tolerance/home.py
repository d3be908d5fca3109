"""Panels of the tolerance room: the home page's to-do counts and the officer page's
clarifications (TOL-19). Registered in ``ToleranceConfig.ready``."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from xian_enforcement.org.choices import Role
from xian_enforcement.org.scoping import scope_for

from .choices import ApplicationStatus
from .selectors import applications_visible_to


def tolerance_panel(user, today: datetime.date) -> dict | None:
    scope = scope_for(user)
    if scope.department_id is None and not scope.is_county_wide:
        return None
    counts = applications_visible_to(user).aggregate(
        submitted=Count("pk", filter=Q(status=ApplicationStatus.SUBMITTED)),
        investigating=Count("pk", filter=Q(status=ApplicationStatus.INVESTIGATING)),
        decided=Count("pk", filter=Q(status=ApplicationStatus.DECIDED)),
        mine=Count("pk", filter=Q(officer_id=scope.officer_id) & ~Q(status=ApplicationStatus.CLOSED)),
    )
    if not any(counts.values()):
        return None
    rows = []
    if scope.has(Role.LEGAL_OFFICER, Role.LEGAL_HEAD) and counts["submitted"]:
        rows.append((_("待调查核实"), counts["submitted"], "?status=submitted"))
    if scope.has(Role.PARTY_MEMBER) and counts["investigating"]:
        rows.append((_("待党组认定"), counts["investigating"], "?status=investigating"))
    if counts["decided"] and (
        scope.has(Role.LEGAL_OFFICER, Role.LEGAL_HEAD, Role.PARTY_MEMBER) or scope.is_county_wide
    ):
        rows.append((_("已认定待告知（7日内）"), counts["decided"], "?status=decided"))
    if counts["mine"]:
        rows.append((_("我的申请（未办结）"), counts["mine"], ""))
    if not rows:
        return None
    return {"template": "tolerance/_home_panel.html", "title": _("容错纠错"), "rows": rows}


def clarification_panel(officer, user) -> dict | None:
    items = list(officer.clarifications.all()[:20])
    if not items:
        return None
    return {"template": "tolerance/_officer_clarifications.html", "title": _("澄清正名"), "items": items}
