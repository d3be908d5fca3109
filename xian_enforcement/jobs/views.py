"""Progress page of a background export (polled by htmx, no inline script) and the download,
through an authorising view (only the job's owner; Content-Disposition: attachment)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from .selectors import export_job_for_owner


@login_required
def job_detail(request, pk):
    job = export_job_for_owner(request.user, pk)
    return render(request, "jobs/job_detail.html", {"job": job, "crumbs": [(_("导出任务"), None)]})


@login_required
def job_progress(request, pk):
    """The progress fragment that the page swaps in every two seconds until the job ends."""
    job = export_job_for_owner(request.user, pk)
    return render(request, "jobs/_progress.html", {"job": job})


@login_required
def job_download(request, pk):
    job = export_job_for_owner(request.user, pk)
    if not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    stamp = job.created_at.strftime("%Y%m%d-%H%M")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{job.kind}-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
