"""Fetch an export the way a user does: a direct download, or (county-wide, or large) a
background job: follow the redirect to its progress page, run the job as the worker would,
download the file (issue 13, "Exports cannot starve the web tier")."""

from __future__ import annotations

from django.urls import resolve, reverse


def export_response(client, url: str, data=None):
    """The response of the export link; for a background export, the job's download."""
    from xian_enforcement.jobs.services import export_job_run

    response = client.get(url, data)
    if response.status_code != 302:
        return response
    match = resolve(response["Location"].split("?")[0])
    if match.view_name != "jobs:detail":
        return response
    job = export_job_run(match.kwargs["pk"])
    assert job.status == "done", job.error
    download = client.get(reverse("jobs:download", args=[job.pk]))
    download.content_bytes = b"".join(download.streaming_content)
    return download


def export_content(client, url: str, data=None) -> bytes:
    response = export_response(client, url, data)
    assert response.status_code == 200, response.status_code
    return getattr(response, "content_bytes", None) or response.content
