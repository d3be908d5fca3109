"""``manage.py verify_audit``: recompute the audit hash chain; exit 1 at the first broken link."""

from django.core.management.base import BaseCommand, CommandError

from xian_enforcement.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail (security.md: tamper evidence)."

    def handle(self, *args, **options):
        result = audit_chain_verify()
        if not result.ok:
            raise CommandError(
                f"BROKEN at audit event #{result.broken_id}: {result.reason} "
                f"({result.rows} rows read in {result.seconds:.2f} s)"
            )
        self.stdout.write(f"OK: {result.rows} audit rows verified in {result.seconds:.2f} s")
