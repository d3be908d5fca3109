"""Reads of export jobs: only the owner's own (anyone else: 404)."""

from __future__ import annotations

from django.http import Http404

from .models import ExportJob


def export_job_for_owner(user, job_id) -> ExportJob:
    job = ExportJob.objects.filter(pk=job_id, owner_id=user.pk).first()
    if job is None:
        raise Http404
    return job
