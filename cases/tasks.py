"""Celery tasks of the case room: a ledger preview or import in the background (issue 13)."""

from celery import shared_task

from . import ledger_jobs


@shared_task(name="cases.ledger_job_run", acks_late=True)
def ledger_job_run_task(job_id: str) -> str | None:
    job = ledger_jobs.ledger_job_run(job_id)
    return job.status if job else None
