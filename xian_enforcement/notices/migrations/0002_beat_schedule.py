"""The one beat schedule (style.md rule 10), in the database so it is editable in the admin.

- ``deadline-scan`` every 15 minutes: every rule with a time limit (REV-5, REV-9, TOL-14c,
  TOL-17, STA-2, STA-5.2); idempotent, so overlapping runs are harmless.
"""

from django.db import migrations


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    cron, _ = CrontabSchedule.objects.get_or_create(
        minute="*/15", hour="*", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name="deadline-scan",
        defaults={
            "task": "notices.scan_deadlines",
            "crontab": cron,
            "description": "REV-5, REV-9, TOL-14c, TOL-17, STA-2, STA-5.2: reminders and overdue notices",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("notices", "0001_initial"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
