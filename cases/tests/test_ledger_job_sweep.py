"""Issue 13: a background ledger preview or import whose worker dies is picked up again, as a
background export is (heartbeat + sweeper, ``jobs.services``): the run beats with its progress,
``ledger_jobs_sweep`` re-queues a running job whose beat is older than EXPORT_JOB_STALE_SECONDS,
at most EXPORT_JOB_MAX_ATTEMPTS runs in all, then fails it with a message; a superseded run
commits nothing; old jobs and their uploads are purged daily."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from cases import ledger, ledger_jobs
from cases.models import CaseFile, LedgerImportJob
from cases.tests.test_ledger import good_row, xlsx
from tests.factories import PowerItemFactory, certified_officer
from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.jobs.models import JobStatus
from xian_enforcement.org.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings, tmp_path):
    settings.EXPORT_JOB_STALE_SECONDS = 300
    settings.EXPORT_JOB_MAX_ATTEMPTS = 3
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team(dept):
    return {
        "a": certified_officer(dept, name="张执法"),
        "b": certified_officer(dept, name="李执法"),
        "power": PowerItemFactory(department=dept, code="XZCF-0001"),
    }


def _job(users, dept, team, *, n: int = 3, **fields) -> LedgerImportJob:
    content = xlsx([good_row(team, i, 结案日期="2026-04-20") for i in range(1, n + 1)])
    job = ledger_jobs.ledger_job_create(
        owner=users[Role.LEGAL_OFFICER], department=dept, content=content, filename="台账.xlsx"
    )
    if fields:
        LedgerImportJob.objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()
    return job


def _dead(job: LedgerImportJob, *, beat_ago: int, attempts: int = 1, **fields) -> LedgerImportJob:
    """Left running by a worker that died ``beat_ago`` seconds after its last beat."""
    beat = timezone.now() - datetime.timedelta(seconds=beat_ago)
    LedgerImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=beat, heartbeat_at=beat, attempts=attempts, stage="writing", **fields
    )
    job.refresh_from_db()
    return job


def test_claim_starts_a_heartbeat_and_progress_beats(users, dept, team):
    job = _job(users, dept, team)
    done = ledger_jobs.ledger_job_run(job.pk)
    assert done.status == JobStatus.DONE and done.attempts == 1 and done.heartbeat_at >= done.started_at
    assert ledger_jobs.ledger_job_run(job.pk).attempts == 1  # a second delivery does nothing


def test_sweeper_requeues_a_dead_import_and_the_rerun_imports_once(
    users, dept, team, django_capture_on_commit_callbacks
):
    job = _job(users, dept, team, action=LedgerImportJob.IMPORT)
    _dead(job, beat_ago=301)
    fresh = _dead(_job(users, dept, team, n=1), beat_ago=200)  # slow, not dead
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert ledger_jobs.ledger_jobs_sweep() == {"requeued": 1, "failed": 0}
    assert len(callbacks) == 1  # the run task is queued after commit
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING and job.heartbeat_at is None and job.stage == ""
    fresh.refresh_from_db()
    assert fresh.status == JobStatus.RUNNING
    done = ledger_jobs.ledger_job_run(job.pk)  # what the queued task does
    assert done.status == JobStatus.DONE and done.attempts == 2 and done.result["created"] == 3
    assert CaseFile.objects.count() == 3 and AuditEvent.objects.filter(event_type="import").count() == 1
    assert not default_storage.exists(job.path)


def test_sweeper_gives_up_after_the_last_attempt_and_the_page_says_so(client, users, dept, team):
    job = _dead(_job(users, dept, team), beat_ago=600, attempts=3)
    assert ledger_jobs.ledger_jobs_sweep() == {"requeued": 0, "failed": 1}
    assert ledger_jobs.ledger_jobs_sweep() == {"requeued": 0, "failed": 0}  # idempotent
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.gave_up and "中断了 3 次" in job.error
    client.force_login(users[Role.LEGAL_OFFICER])
    fragment = client.get(reverse("cases:ledger_job_progress", args=[job.pk])).content.decode()
    assert "中断了 3 次" in fragment and "hx-get" not in fragment  # the page stops polling


def test_a_superseded_import_rolls_back_and_cannot_finish_the_job(users, dept, team):
    """The sweeper re-queued a job whose worker was only slow, and another run claimed it: the
    old run's import finds at its end that the job is no longer its own and rolls back."""
    job = _job(users, dept, team, action=LedgerImportJob.IMPORT)
    _dead(job, beat_ago=400)
    ledger_jobs.ledger_jobs_sweep()
    assert ledger_jobs._claim(job.pk) == 2
    with pytest.raises(ledger_jobs.JobSuperseded):
        ledger_jobs._beat(job.pk, 1, rows_done=50)
    with open(default_storage.path(job.path), "rb") as fh:
        content = fh.read()

    def written(result):
        if not ledger_jobs._this_run(job.pk, 1).update(status=JobStatus.DONE):
            raise ledger_jobs.JobSuperseded(str(job.pk))

    with pytest.raises(ledger_jobs.JobSuperseded):
        ledger.ledger_import(department=dept, content=content, user=job.owner, written=written)
    assert CaseFile.objects.count() == 0 and not AuditEvent.objects.filter(event_type="import").exists()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.attempts == 2


def test_old_ledger_jobs_are_purged_with_their_uploads(users, dept, team):
    old, new = _job(users, dept, team), _job(users, dept, team, n=1)
    LedgerImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    assert ledger_jobs.ledger_jobs_purge() == 1
    assert ledger_jobs.ledger_jobs_purge() == 0
    assert list(LedgerImportJob.objects.all()) == [new]
    assert not default_storage.exists(old.path) and default_storage.exists(new.path)


def test_sweep_and_purge_are_scheduled_by_beat():
    from django_celery_beat.models import PeriodicTask

    sweep = PeriodicTask.objects.get(name="cases-sweep-stale-ledger-jobs")
    assert sweep.task == "cases.ledger_jobs_sweep" and sweep.enabled and sweep.crontab.minute == "*/2"
    purge = PeriodicTask.objects.get(name="cases-purge-ledger-jobs")
    assert purge.task == "cases.ledger_jobs_purge" and purge.enabled


def test_a_queued_job_says_it_is_waiting_and_after_two_minutes_why(client, users, dept, team):
    """With no worker running the page said "正在检查…：排队中…" forever; it now says the file is
    queued, and after two minutes that the worker may be busy or not running (no need to upload
    again)."""
    job = _job(users, dept, team)
    client.force_login(users[Role.LEGAL_OFFICER])
    url = reverse("cases:ledger_job_progress", args=[job.pk])
    fragment = client.get(url).content.decode()
    assert 'id="job-queued"' in fragment and "台账.xlsx" in fragment and 'id="job-waiting"' not in fragment
    LedgerImportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now() - datetime.timedelta(minutes=3))
    fragment = client.get(url).content.decode()
    assert 'id="job-waiting"' in fragment and "已排队 3 分钟" in fragment and "不必重新上传" in fragment
    ledger_jobs.ledger_job_run(job.pk)
    assert 'id="job-waiting"' not in client.get(url).content.decode()
