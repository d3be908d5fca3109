from django.db import migrations


def forwards(apps, schema_editor):
    from reviews.defaults import seed

    seed(apps.get_model("reviews", "ChecklistTemplate"), apps.get_model("reviews", "ChecklistItem"),
         apps.get_model("cases", "CaseCategory"))


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial"), ("cases", "0002_reference_data")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
