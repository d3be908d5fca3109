"""Periodic task of the review room (scheduled by migration 0004)."""

from celery import shared_task

from . import summaries


@shared_task(name="reviews.open_summary_deadlines", acks_late=True, autoretry_for=(Exception,), max_retries=3)
def open_summary_deadlines() -> int:
    """REV-9: open the half-year summary deadlines of the half that ended last. Idempotent:
    ``deadline_open`` leaves an existing deadline as it is; reminders come from the one scan."""
    return summaries.summary_deadlines_open()
