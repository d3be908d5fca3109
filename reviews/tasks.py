"""Periodic tasks of the review room (scheduled by migrations 0004 and 0010)."""

from celery import shared_task
from django.utils import timezone

from . import assessment, half_year_summaries


@shared_task(name="reviews.open_summary_deadlines", acks_late=True, autoretry_for=(Exception,), max_retries=3)
def open_summary_deadlines() -> int:
    """REV-9: open the half-year summary deadlines of the half that ended last. Idempotent:
    ``deadline_open`` leaves an existing deadline as it is; reminders come from the one scan."""
    return half_year_summaries.summary_deadlines_open()


@shared_task(name="reviews.assess_handlers_year_end", acks_late=True, autoretry_for=(Exception,), max_retries=3)
def assess_handlers_year_end() -> int:
    """REV-8: on 1 January, assess every handler for the year just ended and apply the
    consequences (suspension with a notice to the officer). Idempotent: handlers already
    assessed for that year, by this task or by a person, are left as they are."""
    return assessment.handlers_assess_year(year=timezone.localdate().year - 1)
