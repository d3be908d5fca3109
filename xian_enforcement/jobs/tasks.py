"""Celery tasks of background exports: run one job; sweep stale jobs (every 2 minutes, beat);
purge old jobs (daily, beat)."""

from celery import shared_task

from . import services


@shared_task(name="jobs.export_run", acks_late=True)
def export_job_run_task(job_id: str) -> str | None:
    job = services.export_job_run(job_id)
    return job.status if job else None


@shared_task(name="jobs.purge_old", acks_late=True)
def export_jobs_purge_task() -> int:
    return services.export_jobs_purge()


@shared_task(name="jobs.sweep_stale", acks_late=True)
def export_jobs_sweep_task() -> dict[str, int]:
    """Re-queue running exports whose heartbeat went stale (their worker died); bounded."""
    return services.export_jobs_sweep()
