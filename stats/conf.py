"""Values the statistics regulation leaves open (style: never literals in code). Each is read
through ``settings.RULES.get(key, DEFAULTS[key])`` so that the lead can set them in settings."""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    # STA-2: a half-year report is due this many days after 30 June (10 July) …
    "STA_2_HALF_YEAR_DUE_DAYS": 10,
    # … and the annual report this many days after 31 December (10 January).
    "STA_2_YEAR_DUE_DAYS": 10,
    # STA-2: reminders this many days after the period's end (before the due date).
    "STA_2_REMIND_DAYS": [1, 7],
    # STA-2: the periodic job opens a period's reports until this many days after its end
    # (a platform installed later does not open long-past periods and flood inboxes).
    "STA_2_OPEN_WINDOW_DAYS": 60,
    # STA-5.2: certificate expiry warning, days before ``valid_to`` (settings already has it).
    "CERT_EXPIRY_WARN_DAYS": 60,
    # STA-5.2: a second reminder this many days after the first warning.
    "CERT_EXPIRY_SECOND_REMINDER_DAYS": 30,
}


def rule(key: str):
    return settings.RULES.get(key, DEFAULTS[key])


# Technical settings (top-level Django settings, not regulation values).
SETTINGS = {
    # Seconds the leaders' dashboard aggregates stay cached (a safety net: writes bump the data
    # versions, see ``stats/dashboard_cache.py``); 0 turns the cache off.
    "STATS_DASHBOARD_CACHE_SECONDS": 300,
}


def setting(key: str):
    return getattr(settings, key, SETTINGS[key])
