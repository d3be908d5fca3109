"""REV-9: a daily job opens the half-year summary deadlines (idempotent); the reminders and
overdue notices come from the one deadline scan."""

from django.db import migrations


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    cron, _ = CrontabSchedule.objects.get_or_create(
        minute="5", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name="rev9-summary-deadlines",
        defaults={
            "task": "reviews.open_summary_deadlines",
            "crontab": cron,
            "description": "REV-9: open the half-year self-review summary deadlines",
        },
    )


def unload(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="rev9-summary-deadlines").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0003_inspection_assessment_summaries"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, unload)]
