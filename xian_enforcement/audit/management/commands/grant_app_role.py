"""``manage.py grant_app_role ROLE``: give the application's PostgreSQL role (``DATABASE_URL``) exactly
what it needs, as the owner (``DATABASE_MIGRATE_URL``). Run after every ``migrate``; idempotent.

- every table: SELECT, INSERT, UPDATE, DELETE; sequences: USAGE, SELECT;
- the audit trail (``audit_auditevent``): SELECT and INSERT only; signatures of review records
  (``reviews_reviewsignature``): SELECT and INSERT only;
- never TRUNCATE, REFERENCES, TRIGGER, and never ownership: the role cannot disable the audit
  triggers, truncate, or delete audit rows.

``--create`` also creates the role (LOGIN, no other attribute; password from ``--password-file``).
``--sql`` prints the statements instead of running them (to run them with psql)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg import sql as pgsql

from xian_enforcement.audit.owner import use_owner_connection

INSERT_ONLY = ("audit_auditevent", "reviews_reviewsignature")


def statements(role: str, tables: list[str], *, create: bool = False, password: str | None = None) -> list:
    r = pgsql.Identifier(role)
    out = []
    if create:
        out.append(
            pgsql.SQL(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {n}) THEN CREATE ROLE {r} LOGIN "
                "NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT; END IF; END $$"
            ).format(n=pgsql.Literal(role), r=r)
        )
        if password:
            out.append(pgsql.SQL("ALTER ROLE {r} PASSWORD {p}").format(r=r, p=pgsql.Literal(password)))
    out.append(
        pgsql.SQL("GRANT CONNECT ON DATABASE {d} TO {r}").format(
            d=pgsql.Identifier(connection.settings_dict["NAME"]), r=r
        )
    )
    out.append(pgsql.SQL("GRANT USAGE ON SCHEMA public TO {r}").format(r=r))
    out.append(pgsql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {r}").format(r=r))
    for table in tables:
        privileges = "SELECT, INSERT" if table in INSERT_ONLY else "SELECT, INSERT, UPDATE, DELETE"
        out.append(pgsql.SQL(f"GRANT {privileges} ON TABLE {{t}} TO {{r}}").format(t=pgsql.Identifier(table), r=r))
    out.append(pgsql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}").format(r=r))
    return out


class Command(BaseCommand):
    help = "Grant the application's database role only the privileges it needs (run as the owner, after migrate)."

    def add_arguments(self, parser):
        parser.add_argument("role")
        parser.add_argument("--create", action="store_true", help="create the role if it does not exist")
        parser.add_argument("--password-file", help="file holding the role's password (with --create)")
        parser.add_argument("--sql", action="store_true", help="print the statements instead of running them")

    def handle(self, *args, role, **options):
        use_owner_connection()
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL")
        password = (
            Path(options["password_file"]).read_text(encoding="utf-8").strip() if options["password_file"] else None
        )
        if connection.settings_dict.get("USER") == role:
            raise CommandError("the application role must not be the owner role of DATABASE_MIGRATE_URL")
        tables = sorted(connection.introspection.table_names(include_views=False))
        todo = statements(role, tables, create=options["create"], password=password)
        with connection.cursor() as cursor:
            if options["sql"]:
                for stmt in todo:
                    self.stdout.write(stmt.as_string(cursor.connection) + ";")
                return
            for stmt in todo:
                cursor.execute(stmt)
        self.stdout.write(f"granted {role}: {len(tables)} tables (audit rows and review signatures: insert-only)")
