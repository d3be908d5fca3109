"""Periodic tasks of the deadline mechanism."""

from celery import shared_task

from . import services


@shared_task(
    name="notices.scan_deadlines", acks_late=True, autoretry_for=(Exception,), max_retries=3, retry_backoff=True
)
def scan_deadlines() -> int:
    """Every rule with a time limit (rules.md schedule table): send due reminders and overdue
    notices. Idempotent: a step is claimed atomically, so running twice sends nothing twice."""
    return services.deadline_scan()
