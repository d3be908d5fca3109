"""Presentation filters of ux.md: dates as 2026年3月5日 (zh) / 2026-03-05 (en), amounts as
¥12,345.00, rule IDs with their article on hover."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language

from xian_enforcement.rules_text import RULE_SUMMARIES

register = template.Library()


@register.filter(expects_localtime=True)
def cn_date(value) -> str:
    """A date (or an aware datetime, shown in the local time zone: 01:00 in Beijing is 17:00 UTC
    the day before) as 2026年11月28日, or ISO in English."""
    if not value:
        return "—"
    if isinstance(value, datetime.datetime):
        value = value.date()
    if (get_language() or "zh-hans").startswith("zh"):
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


@register.filter
def yuan(value) -> str:
    if value in (None, ""):
        return "—"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"¥{amount:,.2f}"


@register.filter(expects_localtime=True)
def daysafter(value: datetime.date | datetime.datetime, start: datetime.date) -> int:
    """Days from ``start`` to ``value`` (a date, or an aware datetime taken on its local date)."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    return (value - start).days if value and start else 0


@register.filter(name="abs")
def abs_filter(value):
    try:
        return abs(value)
    except TypeError:
        return value


@register.simple_tag
def rule(rule_id: str):
    """A rule ID with its requirement on hover (ux.md: hovering a rule ID shows its article)."""
    return format_html('<abbr class="rule-id" title="{}">{}</abbr>', RULE_SUMMARIES.get(rule_id, ""), rule_id)


@register.simple_tag(takes_context=True)
def query_transform(context, **kwargs) -> str:
    """Current query string with some parameters replaced (for sorting and paging links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()
