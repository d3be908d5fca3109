"""STA-2 and STA-5.2: a daily job opens each ended period's reports with their submission
deadlines and the certificate-expiry warnings (both idempotent); the one deadline scan sends
the reminders."""

from django.db import migrations


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    cron, _ = CrontabSchedule.objects.get_or_create(
        minute="10", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name="statistics-open-deadlines",
        defaults={
            "task": "statistics.open_periodic_deadlines",
            "crontab": cron,
            "description": "STA-2: open report periods and submission deadlines; STA-5.2: certificate expiry warnings",
        },
    )


def unload(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="statistics-open-deadlines").delete()


class Migration(migrations.Migration):
    dependencies = [("statistics", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(load, unload)]
