"""Risk warnings (TOL-18): an error category recurring at or above the threshold in one
department or county-wide, within the window (default 3 in one department or 5 in the county
in 12 months). Checked whenever an application is submitted; idempotent per category, scope and
month."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from xian_enforcement.notices import services as notices
from xian_enforcement.org.choices import Role

from ..choices import ApplicationStatus
from ..conf import rule
from ..models import Application, RiskWarning

COUNTED = [s for s in ApplicationStatus.values if s not in (ApplicationStatus.DRAFT, ApplicationStatus.WITHDRAWN)]
WARNED_ROLES = (Role.LEGAL_HEAD, Role.UNIT_HEAD, Role.PARTY_MEMBER)


def window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return today - datetime.timedelta(days=rule("TOL_18_WINDOW_DAYS")), today


def counted(region_id: int, category: str, today: datetime.date):
    start, end = window(today)
    return Application.objects.filter(
        department__region_id=region_id,
        error_category=category,
        status__in=COUNTED,
        submitted_on__gte=start,
        submitted_on__lte=end,
    )


@transaction.atomic
def risk_check(*, application: Application, today: datetime.date) -> list[RiskWarning]:
    """Raise (or refresh) the warnings the application's category now reaches."""
    region_id = application.department.region_id
    category = application.error_category
    base = counted(region_id, category, today)
    raised = []
    dept_apps = list(base.filter(department_id=application.department_id))
    if len(dept_apps) >= rule("TOL_18_DEPT_THRESHOLD"):
        raised.append(
            _raise(region_id, application.department_id, category, today, dept_apps, rule("TOL_18_DEPT_THRESHOLD"))
        )
    county_apps = list(base)
    if len(county_apps) >= rule("TOL_18_COUNTY_THRESHOLD"):
        raised.append(_raise(region_id, None, category, today, county_apps, rule("TOL_18_COUNTY_THRESHOLD")))
    return raised


def _raise(region_id, department_id, category, today, apps, threshold) -> RiskWarning:
    warning, _created = RiskWarning.objects.select_for_update().get_or_create(
        error_category=category,
        scope_key=str(department_id or "county"),
        period=today.strftime("%Y-%m"),
        defaults={
            "region_id": region_id,
            "department_id": department_id,
            "as_of": today,
            "count": len(apps),
            "threshold": threshold,
        },
    )
    warning.as_of, warning.count, warning.threshold = today, len(apps), threshold
    warning.save(update_fields=["as_of", "count", "threshold"])
    warning.applications.set(apps)
    departments = {department_id} if department_id else {a.department_id for a in apps}
    User = get_user_model()
    recipients = User.objects.filter(
        is_active=True, officer__department_id__in=departments, groups__name__in=WARNED_ROLES
    ).distinct()
    label = warning.get_error_category_display()
    where = _("本部门") if department_id else _("全县")
    for user in recipients:
        notices.notify(
            recipient=user,
            title=_("执法风险预警：%(where)s“%(c)s”12个月内已发生 %(n)s 次")
            % {"where": where, "c": label, "n": len(apps)},
            body=_("请分析原因、完善制度，防范同类差错（第十八条）。"),
            url=reverse("tolerance:risk"),
            rule_id="TOL-18",
            dedupe_key=f"tol18:{warning.pk}:{user.pk}",
        )
    return warning
