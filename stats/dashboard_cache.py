"""Cache of the leaders' dashboard aggregates, cached where the data allows.

What is cached is the scope-determined data only (headline figures, certificates, the unit
table, categories, transfers, self-review rate, overdue reports and summaries of the period,
training, the years), never the rendered page
(it carries the user's name and CSRF token). The review grades and exemption outcomes are not
cached: they are counted over what the *user* may see (``case_files_visible_to(user)``,
``scope_for(user)``), which can be narrower than the dashboard scope (a handler).

The key holds everything the data depends on: the scope (region or department id), year,
period, today (the REV-5 cutoff, certificates valid today and what is overdue move with the
date), the REV-5 transfer days, and the *data versions* of the rooms read. A write bumps its
room's version, so the next request misses and recomputes; entries of older versions are never
read again and age out with the TTL (``STATS_DASHBOARD_CACHE_SECONDS``, a safety net for writes
that do not bump, e.g. the admin or the shell).

Versions live in the cache under ``data-version:<room>`` (no import of ``stats`` is needed to
bump them: the core keeps ``bump_data_version``). A version that is missing (never bumped, or
evicted) is started at a fresh random value (62 bits), not at 0 again, so an eviction
cannot bring back an entry computed before it.

With the local-memory backend each process has its own cache: a write in one gunicorn worker or
in Celery does not invalidate the others, only the TTL does. Production sets ``REDIS_URL``
(shared cache); a locmem deployment with several processes should set the TTL low or to 0
(0 turns caching off).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache

from xian_enforcement.data_versions import bump_data_version, bump_on_commit, version_key
from xian_enforcement.data_versions import data_versions as _data_versions

from .conf import setting

# The rooms whose data the cached aggregates read, and what bumps each version:
# - cases:      CaseFile (figures, unit table, categories, transfers, years) and CaseCategory;
# - org:        Department, Officer, Certificate (unit list, 持证人数/持证率);
# - statistics: TrainingAttendance / TrainingSession (training hours), StatReport (overdue
#               reports of the period, STA-2);
# - reviews:    SelfReview (self-review rate, REV-6), SemiAnnualSummary (overdue summaries, REV-9).
ROOMS = ("cases", "org", "statistics", "reviews")
KEY_PREFIX = "stats:dashboard"

__all__ = ["ROOMS", "bump_data_version", "bump_on_commit", "cached", "dashboard_key", "data_versions", "version_key"]


def data_versions(rooms: tuple[str, ...] = ROOMS) -> tuple[int, ...]:
    return _data_versions(rooms)


def dashboard_key(
    *, region_id: int, department_id: int | None, year: int, period: str, today: datetime.date, kind: str = "county"
) -> str:
    scope = f"d{department_id}" if department_id is not None else f"r{region_id}"
    if kind != "county":
        scope = f"{kind}-{scope}"
    versions = ".".join(str(v) for v in data_versions())
    days = settings.RULES["REV_5_TRANSFER_DAYS"]
    return f"{KEY_PREFIX}:{scope}:{year}:{period}:{today.isoformat()}:t{days}:v{versions}"


def cached(key: str, compute: Callable[[], dict]) -> dict:
    """``compute()`` through the cache under ``key`` for ``STATS_DASHBOARD_CACHE_SECONDS``
    (0: no caching)."""
    timeout = setting("STATS_DASHBOARD_CACHE_SECONDS")
    if not timeout or timeout <= 0:
        return compute()
    data = cache.get(key)
    if data is None:
        data = compute()
        cache.set(key, data, timeout)
    return data
