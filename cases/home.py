"""The case room's panel on the home page (registered in ``CasesConfig.ready``)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from xian_enforcement.org.scoping import scope_for

from .selectors import can_list_cases, year_figures


def case_figures_panel(user, today: datetime.date) -> dict | None:
    if not can_list_cases(user):
        return None
    scope = scope_for(user)
    if scope.is_county_wide:
        title = _("全县 %(year)s 年案卷") % {"year": today.year}
    elif scope.reads_department:
        title = _("本部门 %(year)s 年案卷") % {"year": today.year}
    else:
        title = _("我承办的 %(year)s 年案卷") % {"year": today.year}
    return {
        "template": "cases/_home_figures.html",
        "title": title,
        "year": today.year,
        "figures": year_figures(user, today.year),
    }
