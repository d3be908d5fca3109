"""Login-failure lockout helpers for django-axes (security.md "Authentication", row "lockout")."""

from __future__ import annotations

from xian_enforcement.audit.middleware import client_ip as _audit_client_ip


def client_ip(request) -> str | None:
    """The client address axes keys the lockout on: the same one the audit trail records (the
    proxy's CLIENT_IP_HEADER only from one of TRUSTED_PROXIES, else REMOTE_ADDR)."""
    return _audit_client_ip(request)
