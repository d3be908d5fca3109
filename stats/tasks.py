"""Periodic jobs of the statistics room (both idempotent; the one deadline scan sends the
reminders)."""

from celery import shared_task

from . import services


@shared_task(name="statistics.open_periodic_deadlines", acks_late=True)
def open_periodic_deadlines() -> dict:
    """STA-2: open each ended period's reports and submission deadlines; STA-5.2: open
    certificate-expiry warnings 60 days ahead."""
    return {
        "reports": services.report_periods_open(),
        "certificates": services.certificate_expiry_open(),
    }
