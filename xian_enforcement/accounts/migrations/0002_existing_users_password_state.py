"""Existing users get "now" as their password-change time (security.md "Periodic change")."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    PasswordState = apps.get_model("accounts", "PasswordState")
    now = timezone.now()
    have = set(PasswordState.objects.values_list("user_id", flat=True))
    PasswordState.objects.bulk_create(
        [PasswordState(user_id=pk, changed_at=now) for pk in User.objects.values_list("pk", flat=True) if pk not in have],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
