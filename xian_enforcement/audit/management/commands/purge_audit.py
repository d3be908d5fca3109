"""``manage.py purge_audit``: remove audit rows older than the retention period (at least six
calendar months; younger rows are never removed)."""

from django.core.management.base import BaseCommand, CommandError

from xian_enforcement.audit.owner import use_owner_connection
from xian_enforcement.audit.services import audit_purge
from xian_enforcement.errors import DomainError


class Command(BaseCommand):
    help = "Remove audit rows older than AUDIT_RETENTION_MONTHS (never younger than 6 months)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than-months", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true", help="count only")

    def handle(self, *args, **options):
        use_owner_connection()  # the application role may not delete audit rows; the owner may
        try:
            result = audit_purge(
                older_than_months=options["older_than_months"],
                by_username="manage.py purge_audit",
                dry_run=options["dry_run"],
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        verb = "would remove" if options["dry_run"] else "removed"
        self.stdout.write(f"{verb} {result.deleted} audit rows older than {result.cutoff:%Y-%m-%d %H:%M %Z}")
