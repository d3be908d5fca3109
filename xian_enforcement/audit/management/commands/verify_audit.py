"""``manage.py verify_audit``: recompute the keyed audit hash chain; exit 1 at the first broken link,
a missing chain head, or rows missing at either end. ``--anchor LINE`` (repeatable) also checks
lines of the daily anchor (``audit/anchor.py``) kept outside the database."""

from django.core.management.base import BaseCommand, CommandError

from xian_enforcement.audit.anchor import audit_anchor_check
from xian_enforcement.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail (security.md: tamper evidence)."

    def add_arguments(self, parser):
        parser.add_argument("--anchor", action="append", default=[], help="an audit-anchor line from the log")

    def handle(self, *args, **options):
        result = audit_chain_verify()
        if not result.ok:
            raise CommandError(
                f"BROKEN at audit event #{result.broken_id}: {result.reason} "
                f"({result.rows} rows read in {result.seconds:.2f} s)"
            )
        for line in options["anchor"]:
            problem = audit_anchor_check(line)
            if problem:
                raise CommandError(f"ANCHOR does not match: {problem}")
        anchors = f"; {len(options['anchor'])} anchor lines match" if options["anchor"] else ""
        self.stdout.write(f"OK: {result.rows} audit rows verified in {result.seconds:.2f} s{anchors}")
