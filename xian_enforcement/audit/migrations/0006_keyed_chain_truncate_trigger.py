"""security.md "Audit": the chain is keyed and TRUNCATE is refused.

1. On PostgreSQL a ``BEFORE TRUNCATE`` trigger refuses emptying the audit table. A superuser is
   exempt (the test suite's tear-down and a restore run as one; a superuser can drop any trigger
   anyway); the owner role of production and the application role are not.
2. Every existing row is re-hashed with ``AUDIT_HMAC_KEY`` (HMAC-SHA256), after proving it under the
   unkeyed SHA-256 it had (or the key, for rows already keyed): ``audit_chain_rekey``. A chain that
   is already broken stops the migration instead of being laundered (docs/operations.md). Runs as
   the owner of the table (the migrate role), which may disable the append-only trigger.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events are append-only: TRUNCATE refused';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_no_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_auditevent_no_truncate();
"""


def trigger_forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def trigger_backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


def rekey(apps, schema_editor):
    from xian_enforcement.audit.models import hash_of, legacy_hash_of
    from xian_enforcement.audit.services import audit_chain_rekey

    audit_chain_rekey(
        old_hashes=(legacy_hash_of, hash_of),
        using=schema_editor.connection.alias,
        event_model=apps.get_model("audit", "AuditEvent"),
        head_model=apps.get_model("audit", "AuditChainHead"),
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_purge_after_retention")]
    operations = [
        migrations.RunPython(trigger_forwards, trigger_backwards),
        migrations.RunPython(rekey, migrations.RunPython.noop),
    ]
