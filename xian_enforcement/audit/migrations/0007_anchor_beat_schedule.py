"""Issue 13: the audit chain head is anchored outside the database once a day (``audit.anchor``)."""

from django.db import migrations


def load(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    cron, _ = CrontabSchedule.objects.get_or_create(
        minute="5", hour="0", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.update_or_create(
        name="audit-anchor-chain-head",
        defaults={
            "task": "audit.anchor_chain_head",
            "crontab": cron,
            "description": "security.md Audit: the chain head as a signed line in the log and the security administrators' inbox",
        },
    )


def unload(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name="audit-anchor-chain-head").delete()


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_keyed_chain_truncate_trigger"), ("django_celery_beat", "0019_alter_periodictasks_options")]
    operations = [migrations.RunPython(load, unload)]
