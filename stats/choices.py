"""Choices of the statistics room."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Period(models.TextChoices):
    """STA-2: the reporting periods (default half-year and year)."""

    HALF_YEAR = "half", _("上半年")
    YEAR = "year", _("全年")


def period_range(year: int, period: str) -> tuple[datetime.date, datetime.date]:
    if period == Period.HALF_YEAR:
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30)
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


class ReportStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已审核")


EDITABLE_STATUSES = frozenset({ReportStatus.NOT_STARTED, ReportStatus.DRAFT, ReportStatus.RETURNED})


def period_label(year: int, period: str) -> str:
    """The period as users read it (2026年上半年), on pages, workbooks and job titles alike."""
    return gettext("%(year)s年%(period)s") % {"year": year, "period": Period(period).label}
