"""Progress page of a background export (polled by htmx, no inline script) and the download,
through an authorising view (only the job's owner; Content-Disposition: attachment)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import JobStatus
from .selectors import export_job_for_owner

# A job still queued after this long has not been picked up by a worker: the page says so
# (the workers may be busy, or not running), rather than showing "排队中" with no hint.
QUEUE_WAIT_NOTICE_SECONDS = 60


def _progress_context(job) -> dict:
    waited = (timezone.now() - job.created_at).total_seconds()
    return {
        "job": job,
        "waited_long": job.status == JobStatus.PENDING and waited >= QUEUE_WAIT_NOTICE_SECONDS,
        "keep_days": settings.EXPORT_JOB_KEEP_DAYS,
    }


@login_required
def job_detail(request, pk):
    job = export_job_for_owner(request.user, pk)
    return render(request, "jobs/job_detail.html", {**_progress_context(job), "crumbs": [(_("导出任务"), None)]})


@login_required
def job_progress(request, pk):
    """The progress fragment that the page swaps in every two seconds until the job ends."""
    job = export_job_for_owner(request.user, pk)
    return render(request, "jobs/_progress.html", _progress_context(job))


@login_required
def job_download(request, pk):
    job = export_job_for_owner(request.user, pk)
    if not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    stamp = timezone.localtime(job.created_at).strftime("%Y%m%d-%H%M")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{job.kind}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_in_background(request, *, kind: str, title: str, params: dict, filter_summary: str, rows_total: int = 0):
    """Queue an export job for the signed-in user and send them to its progress page. Over the
    per-user limit (EXPORT_JOBS_PER_USER), nothing is queued: the user is sent to the progress
    page of their oldest unfinished export with a message saying why. A redirect rather than a
    bare 429: exports are plain links in the browser, and the page they land on shows the export
    they are waiting for, which they can download when it is done."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from .services import ExportLimitReached, export_job_create

    try:
        job = export_job_create(
            owner=request.user,
            kind=kind,
            title=title,
            params=params,
            filter_summary=filter_summary,
            rows_total=rows_total,
        )
    except ExportLimitReached as exc:
        messages.warning(request, exc.message)
        return redirect("jobs:detail", exc.active[0].pk)
    return redirect("jobs:detail", job.pk)
