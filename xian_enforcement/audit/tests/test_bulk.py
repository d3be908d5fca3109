"""security.md "Audit": bulk ``.update()`` / ``bulk_create`` / ``bulk_update`` on audited models
must not bypass the trail — one chained row per bulk call with count, keys and before/after
(masked fields masked)."""

from __future__ import annotations

import pytest
from auditlog.context import disable_auditlog
from auditlog.registry import auditlog as registry
from django.apps import apps

from tests.factories import certified_officer
from xian_enforcement.audit.bulk import AuditedQuerySet
from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.org.models import Department, Officer


def _bulk_rows():
    return list(AuditEvent.objects.filter(event_type="state_change", detail__has_key="bulk").order_by("pk"))


def test_every_audited_model_uses_the_audited_queryset():
    """A model registered with auditlog whose default manager is a plain one would let bulk writes
    pass silently: register it with ``objects = AuditedManager()``."""
    apps.get_app_configs()  # registry filled in each app's ready()
    plain = [
        m._meta.label
        for m in apps.get_models()
        if registry.contains(m) and not issubclass(m._default_manager._queryset_class, AuditedQuerySet)
    ]
    assert not plain, f"use AuditedManager on {plain}"


@pytest.mark.django_db
def test_bulk_update_writes_one_row_with_before_and_after(dept, other_dept):
    qs = Department.objects.filter(pk__in=[dept.pk, other_dept.pk])
    assert qs.update(order=7) == 2
    (row,) = _bulk_rows()
    assert row.detail["bulk"] == "update" and row.detail["count"] == 2
    assert row.detail["model"] == "org.Department" and row.detail["fields"] == ["order"]
    assert {r["after"]["order"] for r in row.detail["rows"]} == {7}
    assert sorted(row.detail["pks"]) == sorted([str(dept.pk), str(other_dept.pk)])


@pytest.mark.django_db
def test_bulk_update_masks_personal_fields(dept):
    officer = certified_officer(dept)
    Officer.objects.filter(pk=officer.pk).update(phone="13800138000")
    (row,) = _bulk_rows()
    assert row.detail["rows"][0]["after"]["phone"] == "***"
    assert "13800138000" not in row.canonical()


@pytest.mark.django_db
def test_bulk_create_and_bulk_update_write_one_row_each(region):
    made = Department.objects.bulk_create(
        [Department(region=region, name=f"批量部门{i}", short_name=f"批{i}", code=f"B{i}") for i in range(3)]
    )
    for d in made:
        d.order = 9
    Department.objects.bulk_update(made, ["order"])
    create, update = _bulk_rows()
    assert (create.detail["bulk"], create.detail["count"]) == ("create", 3)
    assert create.detail["rows"][0]["after"]["name"] == "批量部门0"
    assert (update.detail["bulk"], update.detail["count"]) == ("update", 3)
    assert all(r["before"]["order"] != 9 and r["after"]["order"] == 9 for r in update.detail["rows"])


@pytest.mark.django_db
def test_an_update_that_matches_nothing_writes_nothing(dept):
    assert Department.objects.filter(pk=-1).update(order=1) == 0
    assert _bulk_rows() == []


@pytest.mark.django_db
def test_disabled_auditlog_context_writes_nothing(dept):
    """The demo builder disables auditlog; bulk rows follow it."""
    with disable_auditlog():
        Department.objects.filter(pk=dept.pk).update(order=3)
    assert _bulk_rows() == []
