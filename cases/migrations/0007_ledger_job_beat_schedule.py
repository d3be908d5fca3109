"""Background ledger jobs: every 2 minutes a running job whose heartbeat is older than
EXPORT_JOB_STALE_SECONDS (its worker died) is re-queued, or failed with a message after
EXPORT_JOB_MAX_ATTEMPTS runs; daily, jobs older than EXPORT_JOB_KEEP_DAYS are deleted with their
stored uploads."""

from django.db import migrations

ENTRIES = [
    (
        "cases-sweep-stale-ledger-jobs",
        "cases.ledger_jobs_sweep",
        {"minute": "*/2", "hour": "*"},
        "issue 13: re-queue background ledger imports whose worker died (stale heartbeat), bounded attempts",
    ),
    (
        "cases-purge-ledger-jobs",
        "cases.ledger_jobs_purge",
        {"minute": "45", "hour": "3"},
        "issue 13: delete background ledger import jobs and their uploads older than 7 days",
    ),
]


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, when, description in ENTRIES:
        cron, _ = CrontabSchedule.objects.get_or_create(
            **when, day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
        )
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "crontab": cron, "description": description}
        )


def unload(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_rest in ENTRIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_ledger_job_heartbeat"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(load, unload)]
