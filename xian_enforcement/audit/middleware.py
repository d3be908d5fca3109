"""Give every request an id and remember the client IP for audit rows; write one audit row for
every refused request (security.md "Audit": every permission denial)."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

from auditlog.middleware import AuditlogMiddleware

_request_ctx: ContextVar[dict | None] = ContextVar("xian_request", default=None)


def current_request_context() -> dict:
    return _request_ctx.get() or {}


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        token = _request_ctx.set({"request_id": request.request_id, "ip": client_ip(request)})
        try:
            response = self.get_response(request)
            if response.status_code == 403:
                _audit_denial(request)
        finally:
            _request_ctx.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


def client_ip(request) -> str | None:
    # Behind the reverse proxy REMOTE_ADDR is the proxy: the header it sets is believed only from
    # a trusted proxy (one definition for audit, lockout and rate limits: hardening.client_address).
    from xian_enforcement.hardening.client_address import client_ip as _client_ip

    return _client_ip(request)


class XianAuditlogMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, but ``remote_addr`` is our client address: auditlog's own
    believes any client's X-Forwarded-For, from anyone."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None


def _audit_denial(request) -> None:
    """One PERMISSION_DENIED row per 403, whatever produced it (a view raising PermissionDenied, the
    leaders' read-only guard, a CSRF failure). Out-of-jurisdiction objects answer 404 by design and
    are not denials of a visible object."""
    from .choices import EventType, Outcome
    from .services import audit_event_record

    user = getattr(request, "user", None)
    audit_event_record(
        event_type=EventType.PERMISSION_DENIED,
        user=user,
        outcome=Outcome.FAILURE,
        obj=request.path[:200],
        detail={"method": request.method, "path": request.path[:500]},
    )
