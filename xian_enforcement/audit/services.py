"""Writing and verifying the audit trail."""

from __future__ import annotations

import time
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.errors import DomainError

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


MINIMUM_RETENTION_MONTHS = 6  # 网络安全法 第21条


@dataclass
class PurgeResult:
    cutoff: object
    deleted: int


def audit_purge(*, older_than_months: int | None = None, by_username: str = "", dry_run: bool = False) -> PurgeResult:
    """Remove audit rows older than the retention period (security.md: kept at least six calendar
    months; a purge never removes younger rows). The purge itself is audited, with the hash the
    oldest kept row chains from, so ``verify_audit`` still proves the rest of the chain."""
    months = older_than_months if older_than_months is not None else settings.AUDIT_RETENTION_MONTHS
    if months < max(MINIMUM_RETENTION_MONTHS, settings.AUDIT_RETENTION_MONTHS):
        raise DomainError(
            _("审计记录至少保存 %(n)s 个月，不能清理更新的记录。")
            % {"n": max(MINIMUM_RETENTION_MONTHS, settings.AUDIT_RETENTION_MONTHS)}
        )
    cutoff = timezone.now() - relativedelta(months=months)
    # Only the chain's oldest stretch goes: the rows before the first row that is still young.
    # Every one of them is older than the cutoff, and the rest of the chain stays unbroken even
    # if a clock once went backwards (a young row between old ones keeps all that follow it).
    first_young = AuditEvent.objects.filter(created_at__gte=cutoff).order_by("pk").values_list("pk", flat=True).first()
    doomed = AuditEvent.objects.filter(created_at__lt=cutoff)
    if first_young is not None:
        doomed = doomed.filter(pk__lt=first_young)
    if dry_run:
        return PurgeResult(cutoff, doomed.count())
    with transaction.atomic():
        AuditChainHead.objects.select_for_update().get_or_create(pk=1)  # no append while purging
        sql, params = f"DELETE FROM {AuditEvent._meta.db_table} WHERE created_at < %s", [cutoff]
        if first_young is not None:
            sql, params = sql + " AND id < %s", [cutoff, first_young]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL xian.audit_purge = 'on'")
            cursor.execute(sql, params)
            deleted = cursor.rowcount
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL xian.audit_purge = 'off'")
        first_kept = AuditEvent.objects.order_by("pk").values("pk", "prev_hash").first()
    audit_event_record(
        event_type=EventType.AUDIT_PURGE,
        username=by_username,
        detail={
            "deleted": deleted,
            "cutoff": cutoff.isoformat(),
            "months": months,
            "first_kept_id": first_kept["pk"] if first_kept else None,
            "anchor_hash": first_kept["prev_hash"] if first_kept else None,
        },
    )
    return PurgeResult(cutoff, deleted)


__all__ = [
    "EventType",
    "Outcome",
    "PurgeResult",
    "VerifyResult",
    "audit_chain_verify",
    "audit_event_record",
    "audit_purge",
]
