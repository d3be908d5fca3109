"""Issue 13, PostgreSQL only (the ``services`` pass): production runs the application as a role that
does not own the tables (``manage.py grant_app_role``). That role can append to the audit trail but
cannot disable its triggers, truncate it, delete or update its rows; and a ``BEFORE TRUNCATE``
trigger refuses truncation even to a role that was granted TRUNCATE."""

from __future__ import annotations

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from xian_enforcement.audit.services import audit_chain_verify, audit_event_record

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def app_role():
    """A login role of this database only (roles are cluster-wide: named after the test database)."""
    assert connection.vendor == "postgresql", "run in the PostgreSQL pass"
    role = f"{connection.settings_dict['NAME']}_app"[:60]
    call_command("grant_app_role", role, "--create")
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE IF EXISTS "{role}"')


def _connect(role: str) -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"], user=role, host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, autocommit=True
    )


def test_app_role_cannot_disable_the_trigger_truncate_or_delete_audit_rows(app_role):
    event = audit_event_record(event_type="export", username="before")
    with _connect(app_role) as conn:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM audit_auditevent")
            assert cur.fetchone()[0] >= 1  # it reads …
            cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            assert cur.fetchone()[0] is False
        for sql in (
            "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only",
            "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_auditevent_no_truncate ON audit_auditevent",
            "TRUNCATE audit_auditevent",
            f"DELETE FROM audit_auditevent WHERE id = {event.pk}",
            f"UPDATE audit_auditevent SET username = 'x' WHERE id = {event.pk}",
            f"DELETE FROM reviews_reviewsignature WHERE id = {event.pk}",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.cursor() as cur:
                cur.execute(sql)
        with conn.cursor() as cur:  # … and writes what the application writes
            cur.execute("SELECT count(*) FROM cases_casefile")
            cur.execute("UPDATE audit_auditchainhead SET last_id = last_id WHERE id = 1")
    # The application's own append goes through the role's privileges too (a real connection).
    assert audit_chain_verify().ok


def test_truncate_trigger_refuses_even_a_role_granted_truncate(app_role):
    """The trigger, not only the privilege: a non-superuser role that has been granted TRUNCATE
    (a mistaken grant, or the owner of an installation without the role split) is refused."""
    audit_event_record(event_type="export", username="kept")
    with connection.cursor() as cursor:
        cursor.execute(f'GRANT TRUNCATE ON audit_auditevent TO "{app_role}"')
    with (
        _connect(app_role) as conn,
        conn.cursor() as cur,
        pytest.raises(psycopg.errors.RaiseException, match="TRUNCATE refused"),
    ):
        cur.execute("TRUNCATE audit_auditevent")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        assert cursor.fetchone()[0] >= 1


def test_app_role_appends_through_the_application(app_role, settings):
    """The application itself runs as the role: an audit append (insert + head update) works."""
    from django.db import connections

    default = connections["default"]
    saved = dict(default.settings_dict)
    default.close()
    default.settings_dict.update({"USER": app_role, "PASSWORD": ""})
    try:
        event = audit_event_record(event_type="export", username="as-app-role")
        assert event.pk
    finally:
        default.close()
        default.settings_dict.update(saved)
    assert audit_chain_verify().ok
