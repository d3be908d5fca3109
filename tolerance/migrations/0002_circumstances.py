"""Reference data: the circumstance catalogue of Art. 10–13 (TOL-10 … TOL-13)."""

from django.db import migrations


def seed(apps, schema_editor):
    from tolerance.catalogue import CATALOGUE, Kind

    Circumstance = apps.get_model("tolerance", "Circumstance")
    for order, item in enumerate(CATALOGUE):
        if item.kind == Kind.PROCEDURE:
            continue
        Circumstance.objects.update_or_create(
            code=item.code,
            defaults={"article": item.article, "kind": str(item.kind), "text": item.text, "order": order},
        )


def unseed(apps, schema_editor):
    apps.get_model("tolerance", "Circumstance").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("tolerance", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
