"""Retention (security.md "Audit": kept at least six calendar months; a purge never removes younger
rows). The trigger still refuses every UPDATE; a DELETE is allowed only inside a purge (the session
setting ``xian.audit_purge`` is on) and only for rows older than six months, so not even the
application's own purge can remove a young row."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND coalesce(current_setting('xian.audit_purge', true), '') = 'on'
       AND OLD.created_at < now() - interval '6 months' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END
$$ LANGUAGE plpgsql;
"""
# The function of 0003: refuses everything.
PREVIOUS = """
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_more_event_types")]
    operations = [migrations.RunPython(forwards, backwards)]
