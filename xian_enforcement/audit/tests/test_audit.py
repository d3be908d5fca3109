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
    event = AuditEvent.objects.create(event_type="login", username="x")
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
