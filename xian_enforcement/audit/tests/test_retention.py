"""security.md "Audit": kept at least 6 calendar months; a purge never removes younger rows; rows are
append-only for bulk paths too; the chain still verifies after a purge."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.audit.services import audit_chain_verify, audit_event_record, audit_purge
from xian_enforcement.errors import DomainError


def _rows_at(days_ago: list[int]) -> list[AuditEvent]:
    rows = []
    now = timezone.now()
    for days in sorted(days_ago, reverse=True):
        with time_machine.travel(now - datetime.timedelta(days=days), tick=False):
            rows.append(audit_event_record(event_type="export", username=f"u{days}"))
    return rows


@pytest.mark.django_db
def test_audit_retention_purge_removes_only_rows_older_than_six_months():
    old, old2, young, today = _rows_at([400, 190, 170, 0])
    result = audit_purge()
    assert result.deleted == 2
    kept = set(AuditEvent.objects.values_list("pk", flat=True))
    assert {young.pk, today.pk} <= kept and not ({old.pk, old2.pk} & kept)
    purge_row = AuditEvent.objects.get(event_type="audit_purge")
    assert purge_row.detail["deleted"] == 2
    assert purge_row.detail["first_kept_id"] == young.pk
    verdict = audit_chain_verify()
    assert verdict.ok, verdict.reason
    assert verdict.rows == 3  # young, today, and the purge's own row


@pytest.mark.django_db
def test_audit_retention_purge_refuses_a_period_shorter_than_six_months():
    _rows_at([100])
    with pytest.raises(DomainError):
        audit_purge(older_than_months=3)
    with pytest.raises(CommandError):
        call_command("purge_audit", "--older-than-months", "5")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_audit_retention_setting_below_six_months_fails_the_system_check(settings):
    from xian_enforcement.audit.checks import retention_at_least_six_months

    settings.AUDIT_RETENTION_MONTHS = 3
    assert [e.id for e in retention_at_least_six_months(None)] == ["audit.E001"]
    settings.AUDIT_RETENTION_MONTHS = 6
    assert retention_at_least_six_months(None) == []


@pytest.mark.django_db
def test_audit_retention_purge_keeps_the_chain_whole_after_a_clock_jump():
    """A row dated young (a clock that went backwards, then forwards) between old ones keeps
    itself and every row after it: only the chain's oldest stretch is purged."""
    now = timezone.now()
    stamps = [400, 1, 300, 250]  # days ago, in the order written
    rows = []
    for days in stamps:
        with time_machine.travel(now - datetime.timedelta(days=days), tick=False):
            rows.append(audit_event_record(event_type="export", username=f"u{days}"))
    assert audit_purge().deleted == 1  # only the first row: the second is young
    assert not AuditEvent.objects.filter(pk=rows[0].pk).exists()
    assert AuditEvent.objects.filter(pk__in=[r.pk for r in rows[1:]]).count() == 3
    assert audit_chain_verify().ok


@pytest.mark.django_db
def test_audit_retention_dry_run_counts_without_removing(capsys):
    _rows_at([300, 10])
    call_command("purge_audit", "--dry-run")
    assert "would remove 1 " in capsys.readouterr().out
    assert AuditEvent.objects.count() == 2


@pytest.mark.django_db
def test_audit_rows_refuse_bulk_update_and_delete():
    """security.md "Audit": the ORM refuses update/delete — the bulk paths too."""
    _rows_at([1])
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(username="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().username == "u1"


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_audit_retention_postgresql_trigger_refuses_young_rows_even_inside_a_purge():
    from django.db import connection, transaction

    assert connection.vendor == "postgresql", "run in the PostgreSQL pass"
    with connection.cursor() as cursor:  # a fresh chain: earlier tests of this worker may have left rows
        cursor.execute("TRUNCATE audit_auditevent, audit_auditchainhead")
    old, young = _rows_at([200, 30])
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL xian.audit_purge = 'on'")
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [young.pk])
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [old.pk])  # not inside a purge
    assert audit_purge().deleted == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert audit_chain_verify().ok
