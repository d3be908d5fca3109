import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0008_selfreview_department"),
    ]

    operations = [
        migrations.AlterField(
            model_name="selfreview",
            name="department",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.department",
                verbose_name="部门",
            ),
        ),
        migrations.AddIndex(
            model_name="selfreview",
            index=models.Index(fields=["department", "year", "status", "grade"], name="selfreview_dept_grade_idx"),
        ),
    ]
