"""Helpers for the authentication tests (security.md "Authentication")."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def plain_client() -> Client:
    """A client without the suite's two-factor shortcut: proves enforcement."""
    return Client()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The login rate limit (hardening) counts in the cache, which outlives a test: start clean so
    these tests see axes' lockout rather than the per-IP rate limit."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
