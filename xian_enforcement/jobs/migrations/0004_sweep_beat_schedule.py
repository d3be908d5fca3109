"""Every 2 minutes, running exports whose heartbeat is older than EXPORT_JOB_STALE_SECONDS (their
worker died) are re-queued, or marked failed after EXPORT_JOB_MAX_ATTEMPTS runs."""

from django.db import migrations


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    cron, _ = CrontabSchedule.objects.get_or_create(
        minute="*/2", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name="jobs-sweep-stale-exports",
        defaults={
            "task": "jobs.sweep_stale",
            "crontab": cron,
            "description": "issue 13: re-queue background exports whose worker died (stale heartbeat), bounded attempts",
        },
    )


def unload(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="jobs-sweep-stale-exports").delete()


class Migration(migrations.Migration):
    dependencies = [("jobs", "0003_exportjob_heartbeat"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(load, unload)]
