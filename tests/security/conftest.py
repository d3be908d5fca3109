"""Fixtures of the security walks: the world of tests/security/world.py, an empty cache, and
rate limits off (they have their own tests)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from .world import build_world


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(users, dept, other_dept, bureau, region, settings):
    settings.RATELIMIT_ENABLED = False
    return build_world(users, dept, other_dept, bureau, region)
