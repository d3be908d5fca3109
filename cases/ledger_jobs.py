"""Ledger previews and imports in the background (issue 13; performance.md target 12).

A file larger than ``IMPORT_SYNC_MAX_BYTES`` is not checked by the web worker: the upload is
stored (``MEDIA_ROOT/imports/<job id>.xlsx``), a ``LedgerImportJob`` is queued after commit, and
the page polls its progress. The worker runs exactly ``ledger.ledger_preview`` or
``ledger.ledger_import`` (the same checks and the same all-or-nothing write as a small file
inline) and stores the result the page shows. A confirmed preview queues the import of the
same stored file: it is checked again in full before anything is written.

Running a job twice (a second delivery with ``acks_late``) does nothing: the job is claimed with
one conditional ``UPDATE``; a job left ``running`` by a dead worker is claimable again after
``CELERY_TASK_TIME_LIMIT``, and the import is one transaction, so a rerun never writes twice.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.jobs.models import JobStatus

from . import ledger
from .models import LedgerImportJob


def _queue(job: LedgerImportJob) -> None:
    from .tasks import ledger_job_run_task

    transaction.on_commit(lambda: ledger_job_run_task.delay(str(job.pk)))


def ledger_job_create(*, owner, department, content: bytes, filename: str) -> LedgerImportJob:
    """Store the upload and queue its preview (after commit: the worker must find the row)."""
    job = LedgerImportJob(owner=owner, department=department, filename=filename[:200])
    job.path = default_storage.save(f"imports/{job.pk.hex}.xlsx", ContentFile(content))
    job.save()
    _queue(job)
    return job


def ledger_job_confirm(job: LedgerImportJob) -> bool:
    """Queue the import of a preview that passed. False when the job is not such a preview
    (already confirmed, failed, or with errors): one conditional update, so a double click
    queues one import."""
    ready = LedgerImportJob.objects.filter(
        pk=job.pk, action=LedgerImportJob.PREVIEW, status=JobStatus.DONE, result__ok=True
    ).update(action=LedgerImportJob.IMPORT, status=JobStatus.PENDING, stage="", rows_done=0, finished_at=None)
    if ready:
        _queue(job)
    return bool(ready)


def _claim(job_id) -> bool:
    stale = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    claimable = LedgerImportJob.objects.filter(pk=job_id).filter(
        Q(status=JobStatus.PENDING) | Q(status=JobStatus.RUNNING, started_at__lt=stale)
    )
    return bool(claimable.update(status=JobStatus.RUNNING, started_at=timezone.now(), rows_done=0, stage=""))


def result_data(result: ledger.ImportResult, *, rejected: bool = False) -> dict:
    """What the page shows of a result, as JSON."""
    return {
        "ok": result.ok,
        "rejected": rejected,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "errors": [[e.row, e.column, e.message] for e in result.errors],
        "plans": [[p.row, p.action, p.label[:60], p.detail[:100]] for p in result.plans],
    }


def result_of(job: LedgerImportJob) -> ledger.ImportResult | None:
    """The stored result as an ``ImportResult`` (for the shared preview template)."""
    data = job.result
    if "errors" not in data:
        return None
    return ledger.ImportResult(
        plans=[ledger.RowPlan(row, action, label, detail) for row, action, label, detail in data["plans"]],
        errors=[ledger.RowError(row, column, message) for row, column, message in data["errors"]],
    )


def ledger_job_run(job_id) -> LedgerImportJob | None:
    """Run the job's preview or import and store the result; idempotent (see the module)."""
    if not _claim(job_id):
        return LedgerImportJob.objects.filter(pk=job_id).first()
    job = LedgerImportJob.objects.select_related("owner", "department").get(pk=job_id)

    def progress(stage: str, done: int, total: int) -> None:
        LedgerImportJob.objects.filter(pk=job.pk).update(stage=stage, rows_done=done, rows_total=total)

    finished = {"status": JobStatus.DONE, "finished_at": timezone.now()}
    try:
        with default_storage.open(job.path, "rb") as fh:
            content = fh.read()
        if job.action == LedgerImportJob.PREVIEW:
            result = ledger.ledger_preview(department=job.department, content=content, progress=progress)
            finished["result"] = result_data(result)
        else:
            try:
                result = ledger.ledger_import(
                    department=job.department, content=content, user=job.owner, progress=progress
                )
            except ledger.ImportRejected as exc:
                finished["result"] = result_data(exc.result, rejected=True)
            else:
                finished["result"] = result_data(result)
                default_storage.delete(job.path)
    except ledger.ImportFileError as exc:
        finished["result"] = {"ok": False, "file_error": str(exc.message)}
    except Exception as exc:
        LedgerImportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        raise
    finished["finished_at"] = timezone.now()
    LedgerImportJob.objects.filter(pk=job.pk).update(**finished)
    job.refresh_from_db()
    return job


def ledger_jobs_purge(*, days: int | None = None) -> int:
    """Delete jobs older than ``EXPORT_JOB_KEEP_DAYS`` with their stored uploads."""
    days = settings.EXPORT_JOB_KEEP_DAYS if days is None else days
    n = 0
    for job in LedgerImportJob.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=days)):
        default_storage.delete(job.path)
        job.delete()
        n += 1
    return n


def stage_text(job: LedgerImportJob) -> str:
    return {
        "reading": _("正在读取文件…"),
        "checking": _("正在逐行检查"),
        "validating": _("正在按案卷规则检查"),
        "writing": _("正在写入"),
    }.get(job.stage, _("排队中…"))
