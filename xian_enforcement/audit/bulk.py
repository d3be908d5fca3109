"""Bulk writes on audited models are not silent (security.md "Audit": bulk ``.update()`` /
``bulk_create`` on audited models must not bypass the trail).

django-auditlog hears ``save()`` and ``delete()`` through signals; ``QuerySet.update()``,
``bulk_create()`` and ``bulk_update()`` send none. Every model registered with auditlog uses
``AuditedManager`` (a test enforces it), whose queryset writes ONE chained audit row per bulk call:
the model, the operation, the row count, the primary keys and — for up to ``DETAIL_LIMIT`` rows —
the values before and after, with the model's masked fields masked and excluded fields left out.
Inside ``auditlog.context.disable_auditlog()`` (the demo data builder) nothing is written, as for
auditlog itself.
"""

from __future__ import annotations

from contextvars import ContextVar

from auditlog.context import auditlog_disabled, auditlog_value
from auditlog.registry import auditlog as registry
from django.db import models

from .choices import EventType

DETAIL_LIMIT = 500
PK_LIMIT = 5000
# bulk_update() runs update() per batch: the one row is written by bulk_update itself.
_inside_bulk_update: ContextVar[bool] = ContextVar("xian_inside_bulk_update", default=False)


def _actor():
    try:
        actor = auditlog_value.get().get("actor")
    except LookupError:
        return None
    return actor if getattr(actor, "is_authenticated", False) else None


def _policy(model) -> tuple[set[str], set[str]]:
    if not registry.contains(model):
        return set(), set()
    fields = registry.get_model_fields(model)
    return set(fields["mask_fields"]), set(fields["exclude_fields"])


def _clean(model, values: dict) -> dict:
    masked, excluded = _policy(model)
    return {k: ("***" if k in masked else v) for k, v in values.items() if k not in excluded}


def _record(model, operation: str, *, count: int, pks: list, rows: list[dict] | None = None, fields=None) -> None:
    if auditlog_disabled.get():
        return
    from .services import audit_event_record

    detail = {
        "bulk": operation,
        "model": model._meta.label,
        "count": count,
        "pks": [str(pk) for pk in pks[:PK_LIMIT]],
    }
    if fields:
        detail["fields"] = sorted(fields)
    if rows is not None and count <= DETAIL_LIMIT:
        detail["rows"] = rows
    audit_event_record(
        event_type=EventType.STATE_CHANGE, user=_actor(), obj=f"{model._meta.label} ×{count}", detail=detail
    )


def _values(model, pks: list, fields: list[str]) -> dict:
    columns = [model._meta.get_field(f).attname for f in fields]
    return {
        row["pk"]: {f: row[c] for f, c in zip(fields, columns, strict=True)}
        for row in model._base_manager.filter(pk__in=pks).values("pk", *columns)
    }


class AuditedQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if auditlog_disabled.get() or _inside_bulk_update.get():
            return super().update(**kwargs)
        fields = list(kwargs)
        pks = list(self.values_list("pk", flat=True)[: DETAIL_LIMIT + 1])
        before = _values(self.model, pks, fields) if len(pks) <= DETAIL_LIMIT else {}
        count = super().update(**kwargs)
        rows = None
        if before:
            after = _values(self.model, list(before), fields)
            rows = [
                {
                    "pk": str(pk),
                    "before": _clean(self.model, before[pk]),
                    "after": _clean(self.model, after.get(pk, {})),
                }
                for pk in before
            ]
        if count:
            _record(self.model, "update", count=count, pks=pks, rows=rows, fields=fields)
        return count

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created and not auditlog_disabled.get():
            concrete = [f for f in self.model._meta.concrete_fields if not f.primary_key]
            rows = [
                {"pk": str(obj.pk), "after": _clean(self.model, {f.name: f.value_from_object(obj) for f in concrete})}
                for obj in created[: DETAIL_LIMIT + 1]
            ]
            _record(self.model, "create", count=len(created), pks=[o.pk for o in created], rows=rows)
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if auditlog_disabled.get() or not objs:
            return super().bulk_update(objs, fields, *args, **kwargs)
        pks = [o.pk for o in objs]
        before = _values(self.model, pks, list(fields)) if len(pks) <= DETAIL_LIMIT else {}
        token = _inside_bulk_update.set(True)
        try:
            count = super().bulk_update(objs, fields, *args, **kwargs)
        finally:
            _inside_bulk_update.reset(token)
        rows = None
        if before:
            rows = []
            for obj in objs:
                after = {f: self.model._meta.get_field(f).value_from_object(obj) for f in fields}
                if before.get(obj.pk) != after:
                    rows.append(
                        {
                            "pk": str(obj.pk),
                            "before": _clean(self.model, before.get(obj.pk, {})),
                            "after": _clean(self.model, after),
                        }
                    )
        if rows == [] and before:
            return count  # every row already held these values: nothing changed, nothing to record
        _record(self.model, "update", count=count, pks=pks, rows=rows, fields=fields)
        return count


AuditedManager = models.Manager.from_queryset(AuditedQuerySet)
