"""Celery tasks of the case room: a ledger preview or import in the background; sweep ledger jobs
whose worker died (every 2 minutes, beat); purge old ones (daily, beat)."""

from celery import shared_task

from . import ledger_jobs


@shared_task(name="cases.ledger_job_run", acks_late=True)
def ledger_job_run_task(job_id: str) -> str | None:
    job = ledger_jobs.ledger_job_run(job_id)
    return job.status if job else None


@shared_task(name="cases.ledger_jobs_sweep", acks_late=True)
def ledger_jobs_sweep_task() -> dict[str, int]:
    """Re-queue running ledger jobs whose heartbeat went stale (their worker died); bounded."""
    return ledger_jobs.ledger_jobs_sweep()


@shared_task(name="cases.ledger_jobs_purge", acks_late=True)
def ledger_jobs_purge_task() -> int:
    """Delete ledger jobs older than EXPORT_JOB_KEEP_DAYS with their uploads (daily)."""
    return ledger_jobs.ledger_jobs_purge()
