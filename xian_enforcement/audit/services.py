"""Writing audit events."""

from __future__ import annotations

from .choices import EventType, Outcome
from .middleware import current_request_context
from .models import AuditEvent


def audit_event_record(
    *, event_type: str, user=None, username: str = "", outcome: str = Outcome.SUCCESS, obj=None, detail=None
) -> AuditEvent:
    ctx = current_request_context()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return AuditEvent.objects.create(
        user=user,
        username=username or (user.get_username() if user is not None else ""),
        event_type=event_type,
        outcome=outcome,
        object_repr=str(obj)[:200] if obj is not None else "",
        ip=ctx.get("ip"),
        request_id=ctx.get("request_id", ""),
        detail=detail or {},
    )


__all__ = ["EventType", "Outcome", "audit_event_record"]
