"""Values the regulation leaves open (rules.md): defaults here, overridable in
``settings.RULES``. Read them only through :func:`rule`."""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    # REV-15: grade bands (score ≥ excellent_min → 优秀; ≥ qualified_min → 合格; else 不合格).
    "REV_15_EXCELLENT_MIN": 90,
    "REV_15_QUALIFIED_MIN": 60,
    # REV-14: default points per stage (立案 5, 调查取证 35, 审查决定 35, 送达执行 15, 归档 10).
    "REV_14_STAGE_POINTS": {"filing": 5, "investigation": 35, "decision": 35, "service": 15, "archiving": 10},
    # REV-11: files drawn per unit × sampling category.
    "REV_11_SAMPLE_SIZE": 5,
    # REV-8: thresholds of unqualified files for a handler with ≤ per_cases main cases; above that
    # the thresholds scale per started block of per_cases cases (the article is silent).
    "REV_8_PER_CASES": 10,
    "REV_8_CRITICISM_AT": 1,
    "REV_8_NO_AWARD_AT": 2,
    "REV_8_SUSPEND_AT": 3,
    "REV_8_SCALE_ABOVE": True,
    # REV-9: half-year summary due this many days after 30 June / 31 December; reminders on
    # these days after the half ends.
    "REV_9_DUE_DAYS": 15,
    "REV_9_REMIND_DAYS": [5, 12],
    # REV-10: a year without inspection is flagged from this (month, day).
    "REV_10_FLAG_FROM": (10, 1),
}


def rule(key: str):
    return settings.RULES.get(key, DEFAULTS[key])
