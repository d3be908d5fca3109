"""Celery application. One beat schedule lives in the database (django-celery-beat); the
defaults are created by a data migration in ``xian_enforcement.notices`` so each entry is
named, editable in the admin and documented with the rule it serves."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xian_enforcement.settings")

app = Celery("xian_enforcement")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _warm_up_worker(**kwargs) -> None:
    """Each worker process imports WeasyPrint once at start (xian_enforcement.warmup)."""
    from xian_enforcement.warmup import warm_up

    warm_up()
