"""``manage.py rekey_audit --old-key-file PATH``: after changing ``AUDIT_HMAC_KEY``, re-hash the audit
chain with the new key. Every row is first proven under the old key (or, with ``--from-unkeyed``,
the unkeyed SHA-256 of before the chain was keyed); a broken chain is refused, never laundered.
Runs as the owner of the tables (``DATABASE_MIGRATE_URL``): only the owner may lift the
append-only trigger for the rewrite. Then ``manage.py verify_audit`` (docs/operations.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xian_enforcement.audit.models import hash_of, legacy_hash_of
from xian_enforcement.audit.owner import use_owner_connection
from xian_enforcement.audit.services import audit_chain_rekey
from xian_enforcement.errors import DomainError


class Command(BaseCommand):
    help = "Re-hash the audit chain with the current AUDIT_HMAC_KEY after proving it under the old key."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--old-key-file", help="file holding the previous AUDIT_HMAC_KEY")
        group.add_argument("--from-unkeyed", action="store_true", help="rows hashed with plain SHA-256")

    def handle(self, *args, **options):
        if options["from_unkeyed"]:
            old_hashes = (legacy_hash_of, hash_of)
        else:
            old_key = Path(options["old_key_file"]).read_text(encoding="utf-8").strip().encode()
            old_hashes = (lambda row: hash_of(row, old_key), hash_of)
        use_owner_connection()
        try:
            count = audit_chain_rekey(old_hashes=old_hashes)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"re-keyed {count} audit rows; run manage.py verify_audit")
