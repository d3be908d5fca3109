"""A background export whose worker process dies is picked up again: the running task
beats as it progresses; the sweeper re-queues a running job whose beat is older than
EXPORT_JOB_STALE_SECONDS, at most EXPORT_JOB_MAX_ATTEMPTS runs in all, then marks it failed with
a message: never left at "13%" forever. (The same with a real killed worker: test_export_kill.)"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import CaseFileFactory
from xian_enforcement.jobs.models import ExportJob, JobStatus
from xian_enforcement.jobs.services import JobSuperseded, _beat, _claim, export_job_run, export_jobs_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.EXPORT_JOB_STALE_SECONDS = 300
    settings.EXPORT_JOB_MAX_ATTEMPTS = 3


def _running(owner, *, beat_ago: int, attempts: int = 1, rows_done: int = 13) -> ExportJob:
    """A job left running, 13 of 100 rows done, whose last heartbeat was ``beat_ago`` s ago."""
    beat = timezone.now() - datetime.timedelta(seconds=beat_ago)
    return ExportJob.objects.create(
        owner=owner,
        kind="cases",
        title="案卷",
        status=JobStatus.RUNNING,
        rows_total=100,
        rows_done=rows_done,
        started_at=beat,
        heartbeat_at=beat,
        attempts=attempts,
    )


def test_claim_starts_a_heartbeat_and_counts_the_run(users):
    job = ExportJob.objects.create(owner=users["legal_officer"], kind="cases", title="案卷")
    assert _claim(job.pk) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.attempts == 1 and job.heartbeat_at is not None
    assert _claim(job.pk) is None  # running with a fresh beat: a second delivery does nothing


def test_sweeper_requeues_a_job_whose_heartbeat_is_stale(users, dept, django_capture_on_commit_callbacks):
    for _ in range(3):
        CaseFileFactory(department=dept)
    job = _running(users["legal_officer"], beat_ago=301)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert export_jobs_sweep() == {"requeued": 1, "failed": 0}
    assert len(callbacks) == 1  # the run task is queued after commit
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING and job.rows_done == 0 and job.heartbeat_at is None
    done = export_job_run(job.pk)  # what the queued task does
    assert done.status == JobStatus.DONE and done.attempts == 2 and done.rows_done == 3


def test_sweeper_leaves_a_job_with_a_fresh_heartbeat_alone(users):
    job = _running(users["legal_officer"], beat_ago=299)
    pending = ExportJob.objects.create(owner=users["legal_officer"], kind="cases", title="排队")
    assert export_jobs_sweep() == {"requeued": 0, "failed": 0}
    job.refresh_from_db()
    pending.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.rows_done == 13
    assert pending.status == JobStatus.PENDING


def test_sweeper_gives_up_after_the_last_attempt_with_a_clear_message(client, users):
    job = _running(users["legal_officer"], beat_ago=600, attempts=3)
    assert export_jobs_sweep() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.gave_up and job.finished_at is not None
    assert "中断了 3 次" in job.error
    assert export_jobs_sweep() == {"requeued": 0, "failed": 0}  # idempotent
    client.force_login(users["legal_officer"])
    fragment = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "中断了 3 次" in fragment and "hx-trigger" not in fragment  # the page stops polling


def test_a_superseded_run_stops_and_cannot_finish_the_job(users):
    """The sweeper re-queued a job whose worker was only slow: the old run's next heartbeat
    finds the job is no longer its own and stops (it never writes over the new run)."""
    job = _running(users["legal_officer"], beat_ago=400, attempts=1)
    export_jobs_sweep()
    assert _claim(job.pk) == 2
    with pytest.raises(JobSuperseded):
        _beat(job.pk, 1, rows_done=50)
    _beat(job.pk, 2, rows_done=10)
    job.refresh_from_db()
    assert job.rows_done == 10 and job.attempts == 2


def test_sweep_task_is_scheduled_by_beat():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(name="jobs-sweep-stale-exports")
    assert task.task == "jobs.sweep_stale" and task.enabled
    assert task.crontab.minute == "*/2"
