"""Writing and verifying the audit trail."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .choices import EventType, Outcome
from .middleware import current_request_context
from .models import GENESIS, HASHED_FIELDS, AuditChainHead, AuditEvent, hash_of

# Personal identifiers never enter an audit row (security.md): these keys are masked in details.
MASKED_KEYS = {"id_number", "phone", "password", "reporter_name", "reporter_id_number", "reporter_phone"}


def _mask(detail):
    if isinstance(detail, dict):
        return {k: ("***" if k in MASKED_KEYS else _mask(v)) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_mask(v) for v in detail]
    return detail


def audit_event_record(
    *, event_type: str, user=None, username: str = "", outcome: str = Outcome.SUCCESS, obj=None, detail=None
) -> AuditEvent:
    """Append one row to the chain. The head row is locked for the append, so concurrent
    writers are serialised and the chain has no forks."""
    ctx = current_request_context()
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            created_at=timezone.now(),
            user=user,
            username=username or (user.get_username() if user is not None else ""),
            event_type=event_type,
            outcome=outcome,
            object_repr=str(obj)[:200] if obj is not None else "",
            ip=ctx.get("ip"),
            request_id=ctx.get("request_id", ""),
            detail=_mask(detail or {}),
            prev_hash=head.last_hash,
        )
        event.row_hash = event.compute_hash()
        event.save()
        head.last_id, head.last_hash = event.pk, event.row_hash
        head.save(update_fields=["last_id", "last_hash"])
    return event


@dataclass
class VerifyResult:
    ok: bool
    rows: int
    seconds: float
    broken_id: int | None = None
    reason: str = ""


def audit_chain_verify(*, batch: int = 5000) -> VerifyResult:
    """Recompute every hash in id order; report the first broken link."""
    started = time.perf_counter()
    expected_prev = None
    rows = 0
    last_id = 0
    last_hash = GENESIS
    # values() rows, not model instances: verifying 100,000 rows is dominated by hashing.
    columns = ("id", "row_hash", *HASHED_FIELDS)
    while True:
        chunk = list(AuditEvent.objects.filter(pk__gt=last_id).order_by("pk").values(*columns)[:batch])
        if not chunk:
            break
        for row in chunk:
            rows += 1
            pk, row_hash = row.pop("id"), row.pop("row_hash")
            if expected_prev is None:
                expected_prev = row["prev_hash"]  # the oldest kept row anchors the chain (after a purge)
            if row["prev_hash"] != expected_prev:
                return VerifyResult(False, rows, time.perf_counter() - started, pk, "prev_hash does not match")
            if hash_of(row) != row_hash:
                return VerifyResult(False, rows, time.perf_counter() - started, pk, "content changed")
            expected_prev = row_hash
            last_id, last_hash = pk, row_hash
        if len(chunk) < batch:
            break
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_id, head.last_hash) != (last_id, last_hash):
        return VerifyResult(False, rows, time.perf_counter() - started, head.last_id, "rows missing at the end")
    return VerifyResult(True, rows, time.perf_counter() - started)


__all__ = ["EventType", "Outcome", "VerifyResult", "audit_chain_verify", "audit_event_record"]
