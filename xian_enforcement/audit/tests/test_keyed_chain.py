"""Issue 13 "Audit chain" and "keyed": the chain is HMAC-SHA256 with AUDIT_HMAC_KEY; verification
fails on a missing chain head, on rows deleted at either end, on a first row that does not match
the last purge record, and on a chain recomputed without the key; the deploy check requires the
key; the daily anchor writes a signed line to the log and the security administrator's inbox."""

from __future__ import annotations

import datetime
import hashlib
import logging
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from xian_enforcement.audit.models import GENESIS, HASHED_FIELDS, AuditChainHead, AuditEvent, canonical_json
from xian_enforcement.audit.services import audit_chain_verify, audit_event_record, audit_purge

pytestmark = pytest.mark.django_db


def _tamper(sql: str, params: list) -> None:
    """Behind the application's back; on PostgreSQL as the owner lifting the append-only trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")


def _rows(n: int) -> list[AuditEvent]:
    return [audit_event_record(event_type="export", username=f"u{i}", obj=f"导出{i}") for i in range(n)]


def _verify_command() -> str:
    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except CommandError as exc:
        return f"FAILED {exc}"
    return out.getvalue()


def test_chain_hashes_are_keyed_not_plain_sha256():
    (event,) = _rows(1)
    content = canonical_json({f: getattr(event, f) for f in HASHED_FIELDS})
    assert event.row_hash != hashlib.sha256(content.encode()).hexdigest()
    assert audit_chain_verify().ok


def test_chain_recomputed_without_the_key_is_detected():
    """An attacker who changes a row and recomputes every following hash with plain SHA-256 (and
    moves the head along) is caught at the changed row."""
    rows = _rows(4)
    _tamper("UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["篡改", rows[1].pk])
    prev = rows[0].row_hash
    for row in AuditEvent.objects.filter(pk__gte=rows[1].pk).order_by("pk").values("id", *HASHED_FIELDS):
        pk = row.pop("id")
        row["prev_hash"] = prev
        prev = hashlib.sha256(canonical_json(row).encode()).hexdigest()
        _tamper("UPDATE audit_auditevent SET prev_hash = %s, row_hash = %s WHERE id = %s", [row["prev_hash"], prev, pk])
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    result = audit_chain_verify()
    assert not result.ok and result.broken_id == rows[1].pk
    assert _verify_command().startswith("FAILED") and f"#{rows[1].pk}" in _verify_command()


def test_missing_chain_head_row_fails_verification():
    _rows(3)
    AuditChainHead.objects.filter(pk=1).delete()
    result = audit_chain_verify()
    assert not result.ok and result.reason == "chain head row missing"
    assert "chain head row missing" in _verify_command()


def test_rows_deleted_at_the_start_fail_verification():
    rows = _rows(4)
    _tamper("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [rows[0].pk, rows[1].pk])
    result = audit_chain_verify()
    assert not result.ok and result.broken_id == rows[2].pk and "start" in result.reason


def test_rows_deleted_at_the_end_fail_verification():
    rows = _rows(4)
    _tamper("DELETE FROM audit_auditevent WHERE id >= %s", [rows[2].pk])
    result = audit_chain_verify()
    assert not result.ok and result.reason == "rows missing at the end"


def test_first_kept_row_must_match_the_last_purge_record():
    now = timezone.now()
    with time_machine.travel(now - datetime.timedelta(days=400), tick=False):
        _rows(2)
    young = _rows(3)
    assert audit_purge().deleted == 2
    assert audit_chain_verify().ok  # the purge record explains the start
    # One more row removed at the start after the purge: the first row no longer matches it.
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [young[0].pk])
    result = audit_chain_verify()
    assert not result.ok and result.reason == "first kept row does not match the last purge record"


def test_deploy_check_requires_the_audit_key(settings):
    """security.md: production needs AUDIT_HMAC_KEY (or _FILE); the development key derived from
    the secret key does not count."""
    from xian_enforcement.audit.checks import audit_hmac_key_set
    from xian_enforcement.audit.keys import development_key

    for missing in ("", development_key(settings.SECRET_KEY)):
        settings.AUDIT_HMAC_KEY = missing
        assert [e.id for e in audit_hmac_key_set(None)] == ["audit.E002"]
    settings.AUDIT_HMAC_KEY = "k" * 48
    assert audit_hmac_key_set(None) == []


def test_deploy_check_command_fails_without_the_key(settings):
    from django.core.management.base import SystemCheckError

    settings.AUDIT_HMAC_KEY = ""
    with pytest.raises(SystemCheckError, match=r"audit\.E002"):
        call_command("check", deploy=True, stdout=StringIO())


def test_keyed_writes_refuse_to_run_without_a_key(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.AUDIT_HMAC_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="AUDIT_HMAC_KEY"):
        audit_event_record(event_type="export", username="x")


def test_key_can_come_from_a_file(tmp_path, monkeypatch):
    from xian_enforcement.env import envstr

    path = tmp_path / "audit.key"
    path.write_text("s" * 64 + "\n")
    monkeypatch.setenv("AUDIT_HMAC_KEY_FILE", str(path))
    assert envstr("AUDIT_HMAC_KEY") == "s" * 64


def test_daily_anchor_writes_a_signed_line_to_the_log_and_the_security_administrators_inbox(users, caplog):
    from xian_enforcement.audit.anchor import audit_anchor_check
    from xian_enforcement.audit.tasks import audit_anchor_task
    from xian_enforcement.notices.models import Notification

    rows = _rows(3)
    with caplog.at_level(logging.INFO, logger="xian.audit.anchor"):
        line = audit_anchor_task()
    assert line in caplog.text
    assert f"#{rows[-1].pk} {rows[-1].row_hash} rows=" in line and " hmac=" in line
    inbox = Notification.objects.get(recipient=users["secadmin"])
    assert line in inbox.body
    assert not Notification.objects.exclude(recipient=users["secadmin"]).exists()
    audit_anchor_task()  # a second run the same day sends nothing new
    assert Notification.objects.count() == 1
    out = StringIO()
    call_command("verify_audit", anchor=[line], stdout=out)
    assert "1 anchor lines match" in out.getvalue()
    # The chain rewritten at its end after the anchor: the anchored row is gone.
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [rows[-1].pk])
    AuditChainHead.objects.filter(pk=1).update(last_id=rows[-2].pk, last_hash=rows[-2].row_hash)
    assert audit_chain_verify().ok  # the database alone cannot tell …
    assert "missing" in audit_anchor_check(line)  # … the anchor kept outside it can
    forged = line[:-64] + "0" * 64
    assert "signature" in audit_anchor_check(forged)


def test_anchor_beat_entry_exists():
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.get(name="audit-anchor-chain-head").task == "audit.anchor_chain_head"


def test_empty_chain_with_a_head_naming_rows_fails():
    AuditChainHead.objects.create(pk=1, last_id=7, last_hash="a" * 64)
    assert not audit_chain_verify().ok
    AuditChainHead.objects.filter(pk=1).update(last_id=0, last_hash=GENESIS)
    assert audit_chain_verify().ok
