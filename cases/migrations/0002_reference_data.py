"""Load the reference data of cases.reference_data (idempotent)."""

from django.db import migrations


def load(apps, schema_editor):
    from cases.reference_data import CASE_CATEGORIES, PENALTY_KINDS

    CaseCategory = apps.get_model("cases", "CaseCategory")
    PenaltyKind = apps.get_model("cases", "PenaltyKind")
    for order, (code, name, group) in enumerate(CASE_CATEGORIES, start=1):
        CaseCategory.objects.update_or_create(code=code, defaults={"name": name, "order": order, "sampling_group": group})
    for severity, (code, name) in enumerate(PENALTY_KINDS, start=1):
        PenaltyKind.objects.update_or_create(code=code, defaults={"name": name, "severity": severity})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
