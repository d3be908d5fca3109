"""Ledger previews and imports in the background (performance.md target 12).

A file larger than ``IMPORT_SYNC_MAX_BYTES`` is not checked by the web worker: the upload is
stored (``MEDIA_ROOT/imports/<job id>.xlsx``), a ``LedgerImportJob`` is queued after commit, and
the page polls its progress. The worker runs exactly ``ledger.ledger_preview`` or
``ledger.ledger_import`` (the same checks and the same all-or-nothing write as a small file
inline) and stores the result the page shows. A confirmed preview queues the import of the
same stored file: it is checked again in full before anything is written.

Running a job twice (a second delivery with ``acks_late``) does nothing: the job is claimed under
its row lock and numbered (``attempts``). A worker that dies is noticed by its heartbeat, as for
background exports (``jobs.services``): the run beats with its progress and, while it writes, from
a keep-alive thread; ``ledger_jobs_sweep`` (beat ``cases-sweep-stale-ledger-jobs``, every two
minutes) re-queues a running job whose beat is older than ``EXPORT_JOB_STALE_SECONDS``, at most
``EXPORT_JOB_MAX_ATTEMPTS`` runs in all, then fails it with a message for the owner: never left
at "排队中" or "正在写入" forever. The import's rows and the job's "done" commit in one transaction,
so a dead run has written nothing and a superseded run (its number is no longer the job's) rolls
its import back. Old jobs and their uploads are purged daily (``cases-purge-ledger-jobs``).
"""

from __future__ import annotations

import datetime
import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.jobs.models import JobStatus

from . import ledger
from .models import LedgerImportJob

logger = logging.getLogger(__name__)


def _queue(job: LedgerImportJob) -> None:
    from .tasks import ledger_job_run_task

    transaction.on_commit(lambda: ledger_job_run_task.delay(str(job.pk)))


def ledger_job_create(*, owner, department, content: bytes, filename: str) -> LedgerImportJob:
    """Store the upload and queue its preview (after commit: the worker must find the row)."""
    job = LedgerImportJob(owner=owner, department=department, filename=filename[:200], queued_at=timezone.now())
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
    ).update(
        action=LedgerImportJob.IMPORT,
        status=JobStatus.PENDING,
        stage="",
        rows_done=0,
        finished_at=None,
        heartbeat_at=None,
        attempts=0,
        queued_at=timezone.now(),
    )
    if ready:
        _queue(job)
    return bool(ready)


def _stale_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.EXPORT_JOB_STALE_SECONDS)


def _stale_q() -> Q:
    return Q(heartbeat_at__lt=_stale_before()) | Q(heartbeat_at__isnull=True, started_at__lt=_stale_before())


class JobSuperseded(Exception):
    """The sweeper re-queued this run's job (its beat went stale) and another run took it."""


def _claim(job_id) -> int | None:
    """Mark the job running and return this run's number, unless it runs with a fresh beat or
    is finished (a second delivery, or the sweeper's re-queue racing the broker's redelivery)."""
    with transaction.atomic():
        job = (
            LedgerImportJob.objects.select_for_update()
            .filter(pk=job_id)
            .filter(Q(status=JobStatus.PENDING) | (Q(status=JobStatus.RUNNING) & _stale_q()))
            .first()
        )
        if job is None:
            return None
        now = timezone.now()
        job.status, job.started_at, job.heartbeat_at, job.rows_done, job.stage = JobStatus.RUNNING, now, now, 0, ""
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "heartbeat_at", "rows_done", "stage", "attempts"])
        return job.attempts


def _this_run(job_id, attempt: int):
    return LedgerImportJob.objects.filter(pk=job_id, status=JobStatus.RUNNING, attempts=attempt)


def _beat(job_id, attempt: int, **fields) -> None:
    """Heartbeat (with progress); JobSuperseded if the job is no longer this run's."""
    if not _this_run(job_id, attempt).update(heartbeat_at=timezone.now(), **fields):
        raise JobSuperseded(str(job_id))


@contextmanager
def _keep_alive(job_id, attempt: int):
    """Beat from a thread (its own database connection) every fifth of the stale time, so that
    a long write transaction, which reports no progress, is not taken for a dead worker."""
    stop = threading.Event()
    interval = max(1, settings.EXPORT_JOB_STALE_SECONDS // 5)

    def run() -> None:
        try:
            while not stop.wait(interval):
                try:
                    if not _this_run(job_id, attempt).update(heartbeat_at=timezone.now()):
                        return
                except DatabaseError:  # e.g. SQLite locked by the write: the next beat will do
                    logger.warning("ledger job %s: heartbeat skipped", job_id)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=f"ledger-job-beat-{job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


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
    attempt = _claim(job_id)
    if attempt is None:
        return LedgerImportJob.objects.filter(pk=job_id).first()
    job = LedgerImportJob.objects.select_related("owner", "department").get(pk=job_id)

    def progress(stage: str, done: int, total: int) -> None:
        _beat(job.pk, attempt, stage=stage, rows_done=done, rows_total=total)

    def finish(**fields) -> None:
        fields.update(status=JobStatus.DONE, finished_at=timezone.now(), heartbeat_at=timezone.now())
        if not _this_run(job.pk, attempt).update(**fields):
            raise JobSuperseded(str(job.pk))

    def written(result: ledger.ImportResult) -> None:  # inside the import's transaction
        finish(result=result_data(result))

    try:
        with _keep_alive(job.pk, attempt):
            _run(job, progress, finish, written)
    except JobSuperseded:
        return LedgerImportJob.objects.filter(pk=job.pk).first()
    except Exception as exc:
        _this_run(job.pk, attempt).update(status=JobStatus.FAILED, error=str(exc)[:500], finished_at=timezone.now())
        raise
    job.refresh_from_db()
    return job


def _run(job: LedgerImportJob, progress, finish, written) -> None:
    try:
        with default_storage.open(job.path, "rb") as fh:
            content = fh.read()
        if job.action == LedgerImportJob.PREVIEW:
            result = ledger.ledger_preview(department=job.department, content=content, progress=progress)
            finish(result=result_data(result))
        else:
            try:
                ledger.ledger_import(
                    department=job.department, content=content, user=job.owner, progress=progress, written=written
                )
            except ledger.ImportRejected as exc:
                finish(result=result_data(exc.result, rejected=True))
            else:
                default_storage.delete(job.path)
    except ledger.ImportFileError as exc:
        finish(result={"ok": False, "file_error": str(exc.message)})


def ledger_jobs_sweep() -> dict[str, int]:
    """Re-queue every running job whose beat is older than ``EXPORT_JOB_STALE_SECONDS`` (its
    worker died: killed, out of memory, the machine restarted), or fail it with a message for
    its owner once it has had ``EXPORT_JOB_MAX_ATTEMPTS`` runs. Idempotent; rows locked by a
    concurrent sweep are skipped. Beat runs it every two minutes."""
    from .tasks import ledger_job_run_task

    requeued = failed = 0
    stale = LedgerImportJob.objects.filter(status=JobStatus.RUNNING).filter(_stale_q())
    for job_id in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            job = stale.select_for_update(skip_locked=True).filter(pk=job_id).first()
            if job is None:
                continue
            if job.attempts >= settings.EXPORT_JOB_MAX_ATTEMPTS:
                job.status, job.finished_at, job.gave_up = JobStatus.FAILED, timezone.now(), True
                job.error = _(
                    "后台处理程序中断了 %(n)s 次（已到上限），任务已停止，未保存任何数据。"
                    "请重新上传文件；如仍失败，请联系系统管理员。"
                ) % {"n": job.attempts}
                job.save(update_fields=["status", "finished_at", "error", "gave_up"])
                failed += 1
                continue
            job.status, job.rows_done, job.stage, job.heartbeat_at = JobStatus.PENDING, 0, "", None
            job.queued_at = timezone.now()
            job.save(update_fields=["status", "rows_done", "stage", "heartbeat_at", "queued_at"])
            transaction.on_commit(lambda pk=str(job.pk): ledger_job_run_task.delay(pk))
            requeued += 1
    return {"requeued": requeued, "failed": failed}


def ledger_jobs_purge(*, days: int | None = None) -> int:
    """Delete jobs older than ``EXPORT_JOB_KEEP_DAYS`` with their stored uploads (beat, daily:
    ``cases-purge-ledger-jobs``). Idempotent: a second run finds nothing to delete."""
    days = settings.EXPORT_JOB_KEEP_DAYS if days is None else days
    n = 0
    old = LedgerImportJob.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=days))
    for job in old.iterator():
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
