"""Export jobs older than EXPORT_JOB_KEEP_DAYS (7) are deleted with their files, daily."""

from django.db import migrations


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    cron, _ = CrontabSchedule.objects.get_or_create(
        minute="40", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name="jobs-purge-old-exports",
        defaults={
            "task": "jobs.purge_old",
            "crontab": cron,
            "description": "performance.md target 8: delete background export jobs and files older than 7 days",
        },
    )


def unload(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="jobs-purge-old-exports").delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(load, unload)]
