"""``manage.py create_admins``: open the three administrator accounts of 三员分立 on a new
installation — the only step that needs shell access to the server. No superuser is created or
needed. Each account gets a temporary password, printed once, to be changed at first sign-in, where
the administrator also enrols a TOTP authenticator.

Refuses a role that already has an active holder: after the first run, accounts are opened by the
system administrator and roles granted by the security administrator, in the browser."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xian_enforcement.audit.choices import EventType
from xian_enforcement.audit.services import audit_event_record
from xian_enforcement.org.choices import Role
from xian_enforcement.org.services_accounts import temporary_password

ROLES = (Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN)


class Command(BaseCommand):
    help = "Create the system, security and audit administrator accounts (三员分立) with one-time passwords."

    def add_arguments(self, parser):
        for role in ROLES:
            parser.add_argument(f"--{role}", default=role, metavar="USERNAME", help=f"username of the {role}")

    @transaction.atomic
    def handle(self, *args, **options):
        from xian_enforcement.accounts.services import password_state_require_change

        User = get_user_model()
        usernames = [options[role] for role in ROLES]
        if len(set(usernames)) != len(usernames):
            raise CommandError("三员分立: the three administrators must be three different accounts.")
        created = []
        for role, username in zip(ROLES, usernames, strict=True):
            group, _ = Group.objects.get_or_create(name=role)
            holder = group.user_set.filter(is_active=True).first()
            if holder is not None:
                raise CommandError(f"{role} already exists ({holder.username}); nothing created.")
            if User.objects.filter(username__iexact=username).exists():
                raise CommandError(f"username {username} is taken; choose another with --{role}.")
            password = temporary_password()
            user = User.objects.create_user(username=username, password=password, first_name=Role(role).label)
            user.groups.add(group)
            password_state_require_change(user)
            audit_event_record(
                event_type=EventType.GRANT,
                username="manage.py create_admins",
                obj=f"user#{user.pk} {username}",
                detail={"action": "bootstrap", "after": [role]},
            )
            created.append((role, username, password))
        for role, username, password in created:
            self.stdout.write(f"{role:<11} {username:<20} {password}")
        self.stdout.write("Temporary passwords: shown once, to be changed at first sign-in (with TOTP enrolment).")
