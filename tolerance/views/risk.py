"""TOL-18: risk analysis by error category × department × field × period, and the warnings."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.org.scoping import scope_for

from .. import selectors
from ..choices import EnforcementField, ErrorCategory
from ..conf import rule

PERIODS = {"12m": 365, "6m": 182, "3m": 91}


@login_required
def risk(request):
    scope = scope_for(request.user)
    if not (scope.is_county_wide or scope.reads_department):
        raise PermissionDenied(_("风险分析仅对本单位法制机构、负责人、党组成员和司法局开放（TOL-18）。"))
    period = request.GET.get("period", "12m")
    days = PERIODS.get(period, 365)
    end = timezone.localdate()
    start = end - datetime.timedelta(days=days)
    rows = selectors.risk_matrix(request.user, start, end)
    categories = dict(ErrorCategory.choices)
    fields = dict(EnforcementField.choices)
    departments: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for row in rows:
        by_cat = departments.setdefault(row["department__short_name"], {})
        by_cat[row["error_category"]] = by_cat.get(row["error_category"], 0) + row["n"]
        totals[row["error_category"]] = totals.get(row["error_category"], 0) + row["n"]
    used = [c for c in ErrorCategory.values if c in totals]
    table = [
        {"department": name, "cells": [counts.get(c, 0) for c in used], "total": sum(counts.values())}
        for name, counts in sorted(departments.items())
    ]
    threshold = rule("TOL_18_DEPT_THRESHOLD")
    return render(
        request,
        "tolerance/risk.html",
        {
            "crumbs": [(_("容错纠错"), reverse("tolerance:index")), (_("风险分析"), None)],
            "period": period,
            "periods": [("12m", _("近12个月")), ("6m", _("近6个月")), ("3m", _("近3个月"))],
            "columns": [categories[c] for c in used],
            "table": table,
            "totals": [totals[c] for c in used],
            "by_field": [
                {
                    "category": categories[r["error_category"]],
                    "department": r["department__short_name"],
                    "field": fields.get(r["field"], r["field"]),
                    "n": r["n"],
                }
                for r in rows
            ],
            "threshold": threshold,
            "county_threshold": rule("TOL_18_COUNTY_THRESHOLD"),
            "warnings": selectors.warnings_for(request.user)[:50],
        },
    )
