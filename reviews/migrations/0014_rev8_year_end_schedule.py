"""REV-8: the annual handler assessment runs on its own on 1 January for the year just ended
(named beat entry ``rev8-year-end-assessment``)."""

from django.db import migrations


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    cron, _ = CrontabSchedule.objects.get_or_create(
        minute="30", hour="2", day_of_week="*", day_of_month="1", month_of_year="1", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name="rev8-year-end-assessment",
        defaults={
            "task": "reviews.assess_handlers_year_end",
            "crontab": cron,
            "description": "REV-8: assess every handler for the year just ended and apply the consequences",
        },
    )


def unload(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="rev8-year-end-assessment").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0013_campaign_stored_candidates"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(load, unload)]
