"""The tamper-evident audit trail (security.md "Audit").

Every security event (sign-ins, denials, exports, downloads, imports) and every row change of an
audited model (mirrored from django-auditlog's ``LogEntry``) is one ``AuditEvent``. Rows are
append-only (the ORM refuses updates and deletes; on PostgreSQL a trigger refuses them too) and
hash-chained: each row's ``row_hash`` is an HMAC-SHA256 (keyed with ``AUDIT_HMAC_KEY``, which the
database does not hold: ``keys.py``) of its content and the previous row's hash, so
``manage.py verify_audit`` finds the first row that was changed, removed or inserted, even by
someone who can write to the database and recompute hashes.
"""

import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import EventType, Outcome

GENESIS = "0" * 64
# The columns a row's hash covers (``user`` by id), in the order of the canonical JSON.
HASHED_FIELDS = (
    "created_at",
    "user_id",
    "username",
    "event_type",
    "outcome",
    "object_repr",
    "ip",
    "request_id",
    "detail",
    "prev_hash",
)


def canonical_json(values: dict) -> str:
    """Canonical JSON of a row's hashed fields: the same for a model instance and for a
    ``values()`` row, so the verifier need not build model instances."""
    data = dict(values)
    data["created_at"] = data["created_at"].isoformat()
    return json.dumps(data, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)


def hash_of(values: dict, key: bytes | None = None) -> str:
    """The keyed hash of a row (``key``: the audit key unless given, for re-keying)."""
    from .keys import keyed_hexdigest

    return keyed_hexdigest(canonical_json(values), key)


def legacy_hash_of(values: dict) -> str:
    """The unkeyed SHA-256 rows had before the chain was keyed (read only by re-keying)."""
    return hashlib.sha256(canonical_json(values).encode()).hexdigest()


class AuditEventQuerySet(models.QuerySet):
    """Bulk paths refuse too: ``QuerySet.update()`` and ``delete()`` would bypass ``save()``. The
    only way rows leave is ``audit_purge`` (rows older than the retention period)."""

    def update(self, **kwargs):
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only; use audit_purge for expired rows")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One audit row. Append-only and hash-chained (see the module docstring)."""

    created_at = models.DateTimeField(_("时间"), db_index=True)
    # No cascade and no constraint: deleting a user must not touch audit rows (they are
    # append-only); the username is kept beside the id.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    event_type = models.CharField(_("事件"), max_length=30, choices=EventType.choices)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=32, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    prev_hash = models.CharField(max_length=64, default=GENESIS)
    row_hash = models.CharField(max_length=64, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["event_type", "-created_at"], name="audit_type_time_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.username} {self.event_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")

    def canonical(self) -> str:
        """The content the hash covers, as canonical JSON (stable key order, ISO time)."""
        return canonical_json({f: getattr(self, f) for f in HASHED_FIELDS})

    def compute_hash(self) -> str:
        return hash_of({f: getattr(self, f) for f in HASHED_FIELDS})


class AuditChainHead(models.Model):
    """The single row that serialises appends to the chain (locked with SELECT … FOR UPDATE)
    and remembers the last hash, so a removed tail is detected too."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.last_id} {self.last_hash[:12]}"
