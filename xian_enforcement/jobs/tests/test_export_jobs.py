"""performance.md target 8: an export of more than EXPORT_SYNC_MAX_ROWS rows runs in the
background with a progress page and a download link; security.md: the download goes through an
authorising view (owner only, others 404), as an attachment, under a server-chosen name; the
export is audited once (EventType.EXPORT) even when the task runs twice."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import CaseFileFactory
from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.jobs.models import ExportJob, JobStatus
from xian_enforcement.jobs.services import export_job_run, export_jobs_purge

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_files(dept):
    return [CaseFileFactory(department=dept, year=2026) for _ in range(3)]


@pytest.fixture
def job(client, users, three_files, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_SYNC_MAX_ROWS = 2
    client.force_login(users["legal_officer"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get(reverse("cases:export") + "?year=2026")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert len(callbacks) == 1  # the Celery task is queued only after commit
    return job


def test_small_export_stays_synchronous(client, users, three_files, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 10
    client.force_login(users["legal_officer"])
    response = client.get(reverse("cases:export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert not ExportJob.objects.exists()


def test_large_export_creates_job_with_its_filters(job, users):
    assert job.owner == users["legal_officer"]
    assert job.status == JobStatus.PENDING and job.rows_total == 3
    assert job.params == {"year": "2026"}


def test_progress_page_polls_until_done_then_links_download(client, job):
    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "排队中" in html and 'hx-trigger="every 2s"' in html and "<script>" not in html
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, rows_done=1)
    fragment = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "已写入 1 / 3 行（33%）" in fragment and 'value="33"' in fragment
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.PENDING, rows_done=0)
    export_job_run(job.pk)
    fragment = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert reverse("jobs:download", args=[job.pk]) in fragment
    assert "hx-trigger" not in fragment  # polling stops


def test_task_writes_file_under_server_name_and_owner_downloads(client, job, three_files):
    done = export_job_run(job.pk)
    assert done.status == JobStatus.DONE and done.rows_done == 3
    assert done.file.name == f"exports/{job.pk.hex}.xlsx"
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    numbers = [r[0] for r in list(ws.iter_rows(values_only=True))[2:]]
    assert sorted(numbers) == sorted(c.number for c in three_files)


@pytest.mark.parametrize("name", ["detail", "progress", "download"])
def test_only_the_owner_sees_or_downloads_the_job(client, job, users, name):
    export_job_run(job.pk)
    client.force_login(users["legal_head"])  # same department, not the owner
    assert client.get(reverse(f"jobs:{name}", args=[job.pk])).status_code == 404


def test_running_the_task_twice_makes_one_file_and_one_audit_row(job):
    export_job_run(job.pk)
    export_job_run(job.pk)
    files = list((Path(django_settings.MEDIA_ROOT) / "exports").iterdir())
    assert [f.name for f in files] == [f"{job.pk.hex}.xlsx"]
    events = AuditEvent.objects.filter(event_type="export", user=job.owner)
    assert events.count() == 1
    assert events.get().detail["rows"] == 3


def test_jobs_older_than_seven_days_are_purged_with_their_files(job):
    done = export_job_run(job.pk)
    path = Path(done.file.path)
    assert path.exists()
    assert export_jobs_purge() == 0
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    assert export_jobs_purge() == 1
    assert not ExportJob.objects.exists() and not path.exists()


def test_a_queued_job_says_queued_and_after_a_minute_why(client, job):
    """Issue 13 walk: with no worker running a job stays queued; the page must not suggest work
    under way (no progress bar) and, after a minute, says the workers may be busy or not running."""
    import datetime

    from django.utils import timezone

    html = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "排队中" in html and "<progress" not in html and "后台处理程序可能正忙或未在运行" not in html
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=5))
    html = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "已排队 5" in html and "后台处理程序可能正忙或未在运行" in html and "<progress" not in html
    assert 'hx-trigger="every 2s"' in html  # still polling: it starts as soon as a worker takes it


def test_a_running_job_without_a_row_estimate_shows_no_zero_counts(client, job):
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, rows_total=0, rows_done=0)
    html = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "生成中" in html and "0 / 0" not in html and "<progress" in html and "value=" not in html
