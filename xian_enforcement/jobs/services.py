"""Writes of background export jobs: create (and queue after commit), run (idempotent, with a
heartbeat), sweep (re-queue jobs whose worker died), purge.

Exporters are found by kind in ``registry.EXPORTERS``, filled by the rooms' ``AppConfig.ready()``
(``register_exporter``), so the core imports no domain app."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.audit.services import EventType, audit_event_record
from xian_enforcement.errors import DomainError

from .models import ExportJob, JobStatus
from .registry import EXPORTERS

EXPORT_DIR = "exports"


class ExportLimitReached(DomainError):
    """The owner already has ``EXPORT_JOBS_PER_USER`` exports queued or running."""

    def __init__(self, active: list[ExportJob]):
        self.active = active
        super().__init__(
            _("您已有 %(n)s 个导出任务正在排队或生成，请等其中一个完成后再导出（每人同时最多 %(n)s 个）。")
            % {"n": settings.EXPORT_JOBS_PER_USER}
        )


def export_jobs_active(owner):
    return ExportJob.objects.filter(owner=owner, status__in=(JobStatus.PENDING, JobStatus.RUNNING))


@transaction.atomic
def export_job_create(*, owner, kind: str, title: str, params: dict, filter_summary: str, rows_total: int) -> ExportJob:
    """Record the job and queue it once the transaction commits (the worker must find the row).
    A user has at most ``EXPORT_JOBS_PER_USER`` jobs queued or running (exports cannot starve
    the workers, nor the web tier that would otherwise make them): one more raises
    ExportLimitReached. The owner's row is locked so two requests at once cannot both pass."""
    from .tasks import export_job_run_task

    if kind not in EXPORTERS:
        raise ValueError(f"unknown export kind: {kind}")
    get_user_model().objects.select_for_update().filter(pk=owner.pk).first()
    active = list(export_jobs_active(owner).order_by("created_at"))
    if len(active) >= settings.EXPORT_JOBS_PER_USER:
        raise ExportLimitReached(active)
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
    return timezone.now() - datetime.timedelta(seconds=settings.EXPORT_JOB_STALE_SECONDS)


class JobSuperseded(Exception):
    """This run's job was re-queued by the sweeper (its beat went stale) or finished by another
    run: stop without touching the job."""


def _claim(job_id) -> int | None:
    """Mark the job running and return this run's number, unless it already runs (with a fresh
    heartbeat) or is finished: a second delivery of the task (acks_late, a retry, a double call,
    the sweeper's re-queue racing the broker's redelivery) does nothing."""
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update()
            .filter(pk=job_id)
            .filter(Q(status=JobStatus.PENDING) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=_stale_before()))
            .first()
        )
        if job is None:
            return None
        now = timezone.now()
        job.status, job.started_at, job.heartbeat_at, job.rows_done = JobStatus.RUNNING, now, now, 0
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "heartbeat_at", "rows_done", "attempts"])
        return job.attempts


def _beat(job_id, attempt: int, **fields) -> None:
    """Heartbeat (with progress): fails with JobSuperseded if the job is no longer this run's."""
    updated = ExportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING, attempts=attempt).update(
        heartbeat_at=timezone.now(), **fields
    )
    if not updated:
        raise JobSuperseded(str(job_id))


def export_job_run(job_id) -> ExportJob | None:
    """Make the job's file, idempotently: running it twice for one job makes one file (its name
    is the job's id) and one audit row (recorded with the status change, under the row lock).
    Progress is saved, with the heartbeat, every thousand rows, outside any long transaction, so
    the progress page and the sweeper see it. Each run writes its own partial file, so a
    superseded run that is still alive never mixes rows with its successor's."""
    attempt = _claim(job_id)
    if attempt is None:
        return ExportJob.objects.filter(pk=job_id).first()
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    name = f"{EXPORT_DIR}/{job.pk.hex}.xlsx"
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{attempt}.part")

    def progress(rows: int) -> None:
        _beat(job.pk, attempt, rows_done=rows)

    try:
        rows = EXPORTERS[job.kind](job, str(partial), progress)
        rows, extra = rows if isinstance(rows, tuple) else (rows, {})
    except JobSuperseded:
        partial.unlink(missing_ok=True)
        return ExportJob.objects.filter(pk=job.pk).first()
    except Exception as exc:
        partial.unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk, attempts=attempt).exclude(status=JobStatus.DONE).update(
            status=JobStatus.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        if job.status == JobStatus.DONE or job.attempts != attempt or job.status != JobStatus.RUNNING:
            partial.unlink(missing_ok=True)
            return job
        os.replace(partial, path)
        job.status, job.file.name = JobStatus.DONE, name
        job.rows_done, job.rows_total = rows, rows
        job.finished_at = job.heartbeat_at = timezone.now()
        if not job.audited:
            audit_event_record(
                event_type=EventType.EXPORT,
                user=job.owner,
                obj=job.title,
                detail={"filters": job.filter_summary, "rows": rows, **extra, "job": str(job.pk), "background": True},
            )
            job.audited = True
        job.save(update_fields=["status", "file", "rows_done", "rows_total", "finished_at", "heartbeat_at", "audited"])
    return job


def export_jobs_sweep() -> dict[str, int]:
    """Re-queue every running job whose heartbeat is older than ``EXPORT_JOB_STALE_SECONDS``
    (its worker died: killed, out of memory, the machine restarted), or mark it failed with a
    message once it has had ``EXPORT_JOB_MAX_ATTEMPTS`` runs: a job never stays at "13%"
    forever. Idempotent; rows locked by a concurrent sweep are skipped. Beat runs it every two
    minutes (``jobs-sweep-stale-exports``)."""
    from .tasks import export_job_run_task

    requeued = failed = 0
    stale = ExportJob.objects.filter(status=JobStatus.RUNNING).filter(
        Q(heartbeat_at__lt=_stale_before()) | Q(heartbeat_at__isnull=True, started_at__lt=_stale_before())
    )
    for job_id in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            job = stale.select_for_update(skip_locked=True).filter(pk=job_id).first()
            if job is None:
                continue
            if job.attempts >= settings.EXPORT_JOB_MAX_ATTEMPTS:
                job.status, job.finished_at = JobStatus.FAILED, timezone.now()
                job.error = _(
                    "导出进程中断了 %(n)s 次（已到上限），任务已停止。请缩小筛选范围后重新导出；如仍失败，请联系系统管理员。"
                ) % {"n": job.attempts}
                job.gave_up = True
                job.save(update_fields=["status", "finished_at", "error", "gave_up"])
                failed += 1
                continue
            job.status, job.rows_done, job.heartbeat_at = JobStatus.PENDING, 0, None
            job.save(update_fields=["status", "rows_done", "heartbeat_at"])
            transaction.on_commit(lambda pk=str(job.pk): export_job_run_task.delay(pk))
            requeued += 1
    return {"requeued": requeued, "failed": failed}


def export_jobs_purge(*, days: int | None = None) -> int:
    """Delete jobs older than ``days`` (``EXPORT_JOB_KEEP_DAYS``, 7) with their files."""
    days = settings.EXPORT_JOB_KEEP_DAYS if days is None else days
    old = ExportJob.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=days))
    n = 0
    for job in old.iterator():
        if job.file:
            job.file.storage.delete(job.file.name)
        for partial in Path(settings.MEDIA_ROOT, EXPORT_DIR).glob(f"{job.pk.hex}.*part"):
            partial.unlink(missing_ok=True)
        job.delete()
        n += 1
    return n
