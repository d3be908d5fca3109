"""Writes of background export jobs: create (and queue after commit), run (idempotent), purge.

Exporters are found by kind (``EXPORTERS``: dotted paths), so the core imports no domain app.
An exporter is ``write(job, out, progress) -> rows``: it writes the workbook to the path
``out`` and calls ``progress(rows_done)`` now and then."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from xian_enforcement.audit.services import EventType, audit_event_record

from .models import ExportJob, JobStatus

EXPORTERS = {"cases": "cases.exports.case_list_job_write"}
EXPORT_DIR = "exports"


def export_job_create(*, owner, kind: str, title: str, params: dict, filter_summary: str, rows_total: int) -> ExportJob:
    """Record the job and queue it once the transaction commits (the worker must find the row)."""
    from .tasks import export_job_run_task

    if kind not in EXPORTERS:
        raise ValueError(f"unknown export kind: {kind}")
    job = ExportJob.objects.create(
        owner=owner,
        kind=kind,
        title=title[:200],
        params=params,
        filter_summary=filter_summary[:500],
        rows_total=rows_total,
    )
    transaction.on_commit(lambda: export_job_run_task.delay(str(job.pk)))
    return job


def _stale_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def _claim(job_id) -> bool:
    """Mark the job running unless it already runs (and is not stale) or is finished: a second
    delivery of the task (acks_late, a retry, a double call) does nothing."""
    claimable = ExportJob.objects.filter(pk=job_id).filter(
        Q(status=JobStatus.PENDING) | Q(status=JobStatus.RUNNING, started_at__lt=_stale_before())
    )
    return bool(claimable.update(status=JobStatus.RUNNING, started_at=timezone.now(), rows_done=0))


def export_job_run(job_id) -> ExportJob | None:
    """Make the job's file, idempotently: running it twice for one job makes one file (its name
    is the job's id) and one audit row (recorded with the status change, under the row lock).
    Progress is saved every thousand rows, outside any long transaction, so the progress page
    sees it."""
    if not _claim(job_id):
        return ExportJob.objects.filter(pk=job_id).first()
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    name = f"{EXPORT_DIR}/{job.pk.hex}.xlsx"
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")

    def progress(rows: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=rows)

    try:
        rows = import_string(EXPORTERS[job.kind])(job, str(partial), progress)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    os.replace(partial, path)
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        if job.status == JobStatus.DONE:
            return job
        job.status, job.file.name = JobStatus.DONE, name
        job.rows_done, job.rows_total = rows, rows
        job.finished_at = timezone.now()
        if not job.audited:
            audit_event_record(
                event_type=EventType.EXPORT,
                user=job.owner,
                obj=job.title,
                detail={"filters": job.filter_summary, "rows": rows, "job": str(job.pk), "background": True},
            )
            job.audited = True
        job.save(update_fields=["status", "file", "rows_done", "rows_total", "finished_at", "audited"])
    return job


def export_jobs_purge(*, days: int | None = None) -> int:
    """Delete jobs older than ``days`` (``EXPORT_JOB_KEEP_DAYS``, 7) with their files."""
    days = settings.EXPORT_JOB_KEEP_DAYS if days is None else days
    old = ExportJob.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=days))
    n = 0
    for job in old.iterator():
        if job.file:
            job.file.storage.delete(job.file.name)
        Path(settings.MEDIA_ROOT, EXPORT_DIR, f"{job.pk.hex}.part").unlink(missing_ok=True)
        job.delete()
        n += 1
    return n
