"""Writing and verifying the audit trail."""

from __future__ import annotations

import time
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.errors import DomainError

from .choices import EventType, Outcome
from .keys import hmac_key, same
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


def _last_purge(event_model=AuditEvent) -> dict | None:
    return (
        event_model.objects.filter(event_type=EventType.AUDIT_PURGE)
        .order_by("-pk")
        .values("pk", "detail", "prev_hash")
        .first()
    )


def _start_broken(first: dict, purge: dict | None) -> str:
    """Where the chain starts must be explained: at the genesis with no purge, or at the first
    row the last purge kept (its id and the hash it chains from are in the purge record). Rows
    deleted at the start any other way, or a first row changed to chain from the genesis, fail."""
    if purge is None:
        return "" if first["prev_hash"] == GENESIS else "rows missing at the start (no purge record explains them)"
    detail = purge["detail"] or {}
    kept_id, anchor = detail.get("first_kept_id"), detail.get("anchor_hash")
    if kept_id is None:  # the purge removed every row: the purge record itself comes first
        return "" if first["pk"] == purge["pk"] else "first kept row does not match the last purge record"
    if first["pk"] != kept_id or first["prev_hash"] != anchor:
        return "first kept row does not match the last purge record"
    return ""


def audit_chain_verify(*, batch: int = 5000) -> VerifyResult:
    """Recompute every keyed hash in id order; report the first broken link. Also fails when the
    chain head row is missing or disagrees with the last row (rows removed at the end), and when
    the first row is not where the genesis or the last purge record says (rows removed at the
    start)."""
    started = time.perf_counter()

    def broken(pk, reason, rows=0):
        return VerifyResult(False, rows, time.perf_counter() - started, pk, reason)

    head = AuditChainHead.objects.filter(pk=1).first()
    first = AuditEvent.objects.order_by("pk").values("pk", "prev_hash").first()
    if first is None:
        if head is not None and head.last_id:
            return broken(head.last_id, "rows missing: the chain is empty but its head names a last row")
        return VerifyResult(True, 0, time.perf_counter() - started)
    if head is None:
        return broken(first["pk"], "chain head row missing")
    reason = _start_broken(first, _last_purge())
    if reason:
        return broken(first["pk"], reason)
    expected_prev = first["prev_hash"]
    rows = 0
    last_id = 0
    last_hash = GENESIS
    # values() rows, not model instances: verifying 100,000 rows is dominated by hashing.
    columns = ("id", "row_hash", *HASHED_FIELDS)
    key = hmac_key()
    while True:
        chunk = list(AuditEvent.objects.filter(pk__gt=last_id).order_by("pk").values(*columns)[:batch])
        if not chunk:
            break
        for row in chunk:
            rows += 1
            pk, row_hash = row.pop("id"), row.pop("row_hash")
            if row["prev_hash"] != expected_prev:
                return broken(pk, "prev_hash does not match", rows)
            if not same(hash_of(row, key), row_hash):
                return broken(pk, "content changed (or hashed without the audit key)", rows)
            expected_prev = row_hash
            last_id, last_hash = pk, row_hash
        if len(chunk) < batch:
            break
    if (head.last_id, head.last_hash) != (last_id, last_hash):
        return broken(head.last_id, "rows missing at the end", rows)
    return VerifyResult(True, rows, time.perf_counter() - started)


def chain_append_raw(event_model, head_model, *, using: str = "default", **fields):
    """Append one row through the given (possibly historical) models: for data migrations, which
    cannot call ``audit_event_record``. Same hashing, same head lock."""
    head, _created = head_model.objects.using(using).select_for_update().get_or_create(pk=1)
    values = {
        "created_at": timezone.now(),
        "user_id": None,
        "username": "",
        "outcome": Outcome.SUCCESS,
        "object_repr": "",
        "ip": None,
        "request_id": "",
        "detail": {},
        **fields,
        "prev_hash": head.last_hash,
    }
    event = event_model(**values, row_hash=hash_of({f: values[f] for f in HASHED_FIELDS}))
    event.save(using=using)
    head.last_id, head.last_hash = event.pk, event.row_hash
    head.save(using=using, update_fields=["last_id", "last_hash"])
    return event


def audit_chain_rekey(
    *, old_hashes, using: str = "default", event_model=AuditEvent, head_model=AuditChainHead, new_key=None
) -> int:
    """Re-hash the whole chain with the audit key (``new_key``: the current one unless given).

    Every row is first proven under one of ``old_hashes`` (functions of a row's values: the
    unkeyed SHA-256 of before, a previous key's HMAC, or the current key's for rows already
    keyed) and its link to the row before; a broken chain is not re-keyed (a re-key must never
    launder a tampered row). The first row keeps the hash it chains from (the genesis or the
    last purge record's anchor). On PostgreSQL the append-only trigger is disabled for the
    rewrite, which only the owner of the table may do: run as the migrate role. Returns rows
    re-keyed."""
    conn = connections[using]
    table = event_model._meta.db_table
    columns = ("id", "row_hash", *HASHED_FIELDS)
    with transaction.atomic(using=using):
        head = head_model.objects.using(using).select_for_update().filter(pk=1).first()
        rows = list(event_model.objects.using(using).order_by("pk").values(*columns))
        updates = []
        old_prev = rows[0]["prev_hash"] if rows else GENESIS
        new_prev = old_prev
        for row in rows:
            pk, row_hash = row.pop("id"), row.pop("row_hash")
            if row["prev_hash"] != old_prev or not any(same(h(row), row_hash) for h in old_hashes):
                raise DomainError(_("审计链在 #%(id)s 处已断开，未重新计算（请先核查）。") % {"id": pk})
            old_prev = row_hash
            row["prev_hash"] = new_prev
            new_prev = hash_of(row, new_key)
            updates.append((row["prev_hash"], new_prev, pk))
        if not updates:
            return 0
        with conn.cursor() as cursor:
            if conn.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_auditevent_append_only")
            cursor.executemany(f"UPDATE {table} SET prev_hash = %s, row_hash = %s WHERE id = %s", updates)
            if conn.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER audit_auditevent_append_only")
        if head is not None and head.last_id == updates[-1][2]:
            head_model.objects.using(using).filter(pk=1).update(last_hash=updates[-1][1])
    return len(updates)


MINIMUM_RETENTION_MONTHS = 6  # 网络安全法 第21条


@dataclass
class PurgeResult:
    cutoff: object
    deleted: int


def audit_purge(
    *, older_than_months: int | None = None, by_username: str = "", dry_run: bool = False, using: str = "default"
) -> PurgeResult:
    """Remove audit rows older than the retention period (security.md: kept at least six calendar
    months; a purge never removes younger rows). The purge itself is audited, with the hash the
    oldest kept row chains from, so ``verify_audit`` still proves the rest of the chain. ``using``:
    the connection that deletes (the migrate role's in production: the application role may not
    delete audit rows); the purge record is appended through the default one."""
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
    events = AuditEvent.objects.using(using)
    first_young = events.filter(created_at__gte=cutoff).order_by("pk").values_list("pk", flat=True).first()
    doomed = events.filter(created_at__lt=cutoff)
    if first_young is not None:
        doomed = doomed.filter(pk__lt=first_young)
    if dry_run:
        return PurgeResult(cutoff, doomed.count())
    conn = connections[using]
    with transaction.atomic(using=using):
        AuditChainHead.objects.using(using).select_for_update().get_or_create(pk=1)  # no append while purging
        sql, params = f"DELETE FROM {AuditEvent._meta.db_table} WHERE created_at < %s", [cutoff]
        if first_young is not None:
            sql, params = sql + " AND id < %s", [cutoff, first_young]
        with conn.cursor() as cursor:
            if conn.vendor == "postgresql":
                cursor.execute("SET LOCAL xian.audit_purge = 'on'")
            cursor.execute(sql, params)
            deleted = cursor.rowcount
            if conn.vendor == "postgresql":
                cursor.execute("SET LOCAL xian.audit_purge = 'off'")
        first_kept = events.order_by("pk").values("pk", "prev_hash").first()
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
    "audit_chain_rekey",
    "audit_chain_verify",
    "audit_event_record",
    "audit_purge",
]
