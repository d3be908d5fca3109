"""Data versions: one counter per room in the cache (``data-version:<room>``). A write bumps its
room's version after commit; a cached aggregate keys on the versions it read, so the next request
after any write recomputes. The core keeps this so that lower rooms (cases, org, notices) can
invalidate caches of higher ones (the statistics dashboard) without importing them.

A missing version (never set, or evicted) starts at a random 62-bit value, never at 0 again, so an
eviction cannot bring back an entry computed before it."""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.db import transaction


def version_key(room: str) -> str:
    return f"data-version:{room}"


def fresh_version() -> int:
    """A random start (62 bits: room to ``incr`` in Redis's signed 64-bit integers)."""
    return secrets.randbits(62)


def data_versions(rooms: tuple[str, ...]) -> tuple[int, ...]:
    """The current version of each room, in one cache round trip (two when one is missing)."""
    keys = [version_key(r) for r in rooms]
    found = cache.get_many(keys)
    missing = [k for k in keys if k not in found]
    if missing:
        for k in missing:
            cache.add(k, fresh_version(), timeout=None)  # add: a concurrent start wins
        found |= cache.get_many(missing)
    return tuple(found.get(k, 0) for k in keys)


def bump_data_version(room: str) -> None:
    """Invalidate every cached aggregate reading ``room``."""
    key = version_key(room)
    try:
        cache.incr(key)
    except ValueError:  # missing: start afresh, never at an old value
        cache.add(key, fresh_version(), timeout=None)


def bump_on_commit(room: str) -> None:
    """Bump after the write commits: bumping earlier lets a concurrent request cache the old
    data under the new version."""
    transaction.on_commit(lambda: bump_data_version(room))
