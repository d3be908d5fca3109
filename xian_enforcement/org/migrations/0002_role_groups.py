"""Create the role groups of architecture.md (idempotent)."""

from django.db import migrations

ROLES = [
    "handler",
    "legal_officer",
    "legal_head",
    "unit_head",
    "party_member",
    "bureau_staff",
    "review_group",
    "leader",
    "sysadmin",
    "secadmin",
    "auditadmin",
]


def load(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
