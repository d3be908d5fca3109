"""The self-review record keeps its file's department (dashboards count grades by department
from one index). Added nullable and filled from the case files here; made required with its
index in 0009 (PostgreSQL will not alter a table with the fill's deferred foreign-key checks
pending in the same transaction)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0002_role_groups"),
        ("cases", "0003_list_sort_indexes"),
        ("reviews", "0007_selfreview_library_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="selfreview",
            name="department",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="org.department",
                verbose_name="部门",
            ),
        ),
        migrations.RunSQL(
            "UPDATE reviews_selfreview SET department_id = "
            "(SELECT c.department_id FROM cases_casefile c WHERE c.id = reviews_selfreview.case_file_id)",
            migrations.RunSQL.noop,
        ),
    ]
