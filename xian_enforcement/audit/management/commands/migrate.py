"""``manage.py migrate`` as the owner of the tables: with ``DATABASE_MIGRATE_URL`` set, this process's
default connection uses the owner's URL (``owner.use_owner_connection``), so migrations, data
migrations included, create and change tables that the application role (``DATABASE_URL``) only
uses. Without it, Django's ``migrate`` unchanged."""

from django.core.management.commands.migrate import Command as MigrateCommand

from xian_enforcement.audit.owner import use_owner_connection


class Command(MigrateCommand):
    def handle(self, *args, **options):
        if options["database"] == "default" and use_owner_connection() and options["verbosity"] >= 1:
            self.stdout.write("Running migrations as the owner role (DATABASE_MIGRATE_URL).")
        return super().handle(*args, **options)
