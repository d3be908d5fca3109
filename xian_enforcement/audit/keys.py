"""The key of the tamper evidence (security.md "Audit"): the audit chain's row hashes and the
signed records' digests are HMAC-SHA256 with ``AUDIT_HMAC_KEY``, a key the database does not hold.
Whoever can write to the database but cannot read the key cannot recompute a digest or a chain
after changing a row: ``verify_audit`` and ``verify_reviews`` find it.

The key comes from the environment (``AUDIT_HMAC_KEY`` or ``AUDIT_HMAC_KEY_FILE``). While
``DJANGO_DEBUG`` is true and it is unset, a development key derived from ``SECRET_KEY`` is used;
in production its absence is an error of ``manage.py check --deploy`` (audit.E002) and of the
first keyed write."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEV_KEY_PREFIX = "audit-hmac-dev:"


def development_key(secret_key: str) -> str:
    """The quick start's key (``DJANGO_DEBUG`` true, no ``AUDIT_HMAC_KEY``): derived from the secret
    key, so it stays the same across restarts of one installation."""
    return DEV_KEY_PREFIX + hashlib.sha256(("audit-hmac:" + secret_key).encode()).hexdigest()


def hmac_key() -> bytes:
    key = getattr(settings, "AUDIT_HMAC_KEY", "")
    if not key:
        raise ImproperlyConfigured("AUDIT_HMAC_KEY must be set when DJANGO_DEBUG is false (docs/operations.md)")
    return key.encode()


def keyed_hexdigest(data: bytes | str, key: bytes | None = None) -> str:
    """HMAC-SHA256 of ``data`` with the audit key (or ``key``), as 64 hex digits."""
    if isinstance(data, str):
        data = data.encode()
    return hmac.new(key if key is not None else hmac_key(), data, hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
