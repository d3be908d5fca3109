"""Audit trail: every create/update/delete of audited models (django-auditlog) and every sign-in
(success and failure) leaves a row; the audit page is for the audit administrator only."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.factories import CaseFileFactory
from xian_enforcement.audit.models import AuditEvent


@pytest.mark.django_db
def test_login_success_and_failure_are_audited(client, users, password):
    user = users["legal_officer"]
    client.post(reverse("login"), {"username": user.username, "password": "wrong-password"})
    client.post(reverse("login"), {"username": user.username, "password": password}, REMOTE_ADDR="10.1.2.3")
    failed = AuditEvent.objects.get(event_type="login_failed")
    assert failed.username == user.username
    assert failed.outcome == "failure"
    ok = AuditEvent.objects.get(event_type="login")
    assert ok.user == user
    assert ok.ip == "10.1.2.3"
    assert len(ok.request_id) == 32


@pytest.mark.django_db
def test_case_create_update_delete_write_log_entries(dept):
    case = CaseFileFactory(department=dept)
    case.title = "改后的案由"
    case.save()
    pk = case.pk
    case.delete()
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(type(case)), object_pk=str(pk))
    rows = list(entries.order_by("timestamp", "pk"))
    assert rows[0].action == LogEntry.Action.CREATE
    assert rows[-1].action == LogEntry.Action.DELETE
    title_changes = [r for r in rows if r.action == LogEntry.Action.UPDATE and "title" in r.changes_dict]
    assert len(title_changes) == 1
    assert title_changes[0].changes_dict["title"][1] == "改后的案由"


@pytest.mark.django_db
def test_officer_id_number_is_masked_in_audit_diff(users):
    officer = users["handler"].officer
    officer.id_number = "141031198001011234"
    officer.save()
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(officer),
        object_pk=str(officer.pk),
        action=LogEntry.Action.UPDATE,
    ).latest("timestamp")
    assert "141031198001011234" not in str(entry.changes)


@pytest.mark.django_db
def test_audit_events_are_append_only(users):
    from xian_enforcement.audit.services import audit_event_record

    event = audit_event_record(event_type="login", username="x")
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [("auditadmin", 200), ("sysadmin", 403), ("secadmin", 403), ("bureau_staff", 403), ("leader", 403)],
)
def test_audit_page_only_for_audit_administrator(client, users, role, status):
    client.force_login(users[role])
    assert client.get(reverse("audit:list")).status_code == status
    assert client.get(reverse("audit:list") + "?tab=events").status_code == status


@pytest.mark.django_db
def test_state_change_writes_exactly_one_chained_row(dept):
    before = AuditEvent.objects.filter(event_type="state_change").count()
    case = CaseFileFactory(department=dept, co_handlers=[])
    rows = AuditEvent.objects.filter(event_type="state_change", object_repr=f"cases.CaseFile#{case.pk}")
    assert rows.count() == 1
    assert AuditEvent.objects.filter(event_type="state_change").count() > before
    assert rows.get().detail["action"] in ("create", "创建")


def _tamper(sql: str, params: list) -> None:
    """A raw write as an intruder with database owner rights would do it (on PostgreSQL they
    must first switch off the append-only trigger)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")


@pytest.mark.django_db
def test_chain_verifies_and_detects_a_changed_row(users, dept):
    from django.core.management import call_command

    from xian_enforcement.audit.services import audit_chain_verify, audit_event_record

    for i in range(5):
        audit_event_record(event_type="export", user=users["legal_officer"], obj=f"导出{i}")
    assert audit_chain_verify().ok
    call_command("verify_audit")  # prints OK, exits 0
    victim = AuditEvent.objects.filter(event_type="export").order_by("pk")[2]
    _tamper("UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["篡改", victim.pk])
    result = audit_chain_verify()
    assert not result.ok
    assert result.broken_id == victim.pk
    with pytest.raises(Exception, match=f"#{victim.pk}"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_chain_detects_a_removed_row_and_a_removed_tail(users):

    from xian_enforcement.audit.services import audit_chain_verify, audit_event_record

    events = [audit_event_record(event_type="export", user=users["legal_officer"], obj=i) for i in range(4)]
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    assert audit_chain_verify().reason == "rows missing at the end"
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    result = audit_chain_verify()
    assert not result.ok
    assert result.broken_id == events[2].pk


@pytest.mark.django_db
def test_personal_identifiers_are_masked_in_audit_details(users):
    from xian_enforcement.audit.services import audit_event_record

    event = audit_event_record(
        event_type="export", user=users["legal_officer"], detail={"id_number": "141031198001011234"}
    )
    assert "141031198001011234" not in event.canonical()


@pytest.mark.services
@pytest.mark.django_db
def test_postgresql_trigger_refuses_update_and_delete_of_audit_rows(users):
    from django.db import connection, transaction

    from xian_enforcement.audit.services import audit_event_record

    assert connection.vendor == "postgresql", "run in the PostgreSQL pass"
    event = audit_event_record(event_type="export", user=users["legal_officer"])
    for sql in (
        "UPDATE audit_auditevent SET username = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, username=users["legal_officer"].username).exists()


@pytest.mark.django_db
def test_every_permission_denial_writes_exactly_one_row(client, users):
    """security.md "Audit": every permission denial — a view refusing (PermissionDenied) and the
    leaders' read-only guard — writes one row with user, path, method and outcome failure."""
    client.force_login(users["bureau_staff"])
    assert client.get(reverse("audit:list")).status_code == 403
    client.force_login(users["leader"])
    assert client.post(reverse("cases:create"), {}).status_code == 403
    rows = list(AuditEvent.objects.filter(event_type="permission_denied").order_by("pk"))
    assert [(r.username, r.detail["method"], r.outcome) for r in rows] == [
        (users["bureau_staff"].username, "GET", "failure"),
        (users["leader"].username, "POST", "failure"),
    ]
    assert rows[0].object_repr == reverse("audit:list")
    assert len(rows[1].request_id) == 32


@pytest.mark.django_db
def test_allowed_and_not_found_requests_write_no_denial_row(client, users):
    client.force_login(users["auditadmin"])
    assert client.get(reverse("audit:list")).status_code == 200
    client.force_login(users["legal_officer"])
    assert client.get(reverse("cases:detail", args=[999999])).status_code == 404
    assert not AuditEvent.objects.filter(event_type="permission_denied").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [("auditadmin", 200), ("sysadmin", 403), ("secadmin", 403), ("bureau_staff", 403)]
)
def test_audit_export_only_for_audit_administrator_and_itself_audited(client, users, role, status):
    """三员分立: the audit administrator reads and exports the audit log; nobody else does."""
    import io

    from openpyxl import load_workbook

    from xian_enforcement.audit.services import audit_event_record

    audit_event_record(event_type="login_failed", username="mallory", outcome="failure")
    audit_event_record(event_type="login", username="alice")
    from tests.exports import export_response

    client.force_login(users[role])
    # The audit administrator's export runs in the background: the helper follows the
    # job to its download.
    response = export_response(client, reverse("audit:export"), {"event_type": "login_failed"})
    assert response.status_code == status
    if status == 200:
        rows = list(load_workbook(io.BytesIO(response.content_bytes)).active.iter_rows(values_only=True))
        assert [r[2] for r in rows[1:]] == ["mallory"]
        export = AuditEvent.objects.get(event_type="export")
        assert export.user == users[role] and export.detail["rows"] == 1
    else:
        assert not AuditEvent.objects.filter(event_type="export").exists()


@pytest.mark.django_db
def test_audit_events_tab_filters_by_type_user_and_date(client, users):
    from xian_enforcement.audit.services import audit_event_record

    audit_event_record(event_type="login_failed", username="mallory", outcome="failure")
    audit_event_record(event_type="export", username="alice")
    client.force_login(users["auditadmin"])
    html = client.get(reverse("audit:list"), {"tab": "events", "user": "mall"}).content.decode()
    assert "mallory" in html and "alice" not in html
    html = client.get(reverse("audit:list"), {"tab": "events", "since": "2999-01-01"}).content.decode()
    assert "mallory" not in html


@pytest.mark.django_db
def test_changes_tab_shows_a_field_named_items(client, users):
    """A model field called ``items`` shadowed ``dict.items`` in the template (a 500)."""
    from auditlog.models import LogEntry

    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(AuditEvent),
        object_pk="1",
        object_repr="x",
        action=LogEntry.Action.UPDATE,
        changes={"items": ["甲乙", "丙丁"]},
    )
    client.force_login(users["auditadmin"])
    response = client.get(reverse("audit:list"))
    assert response.status_code == 200
    assert "甲乙" in response.content.decode()
