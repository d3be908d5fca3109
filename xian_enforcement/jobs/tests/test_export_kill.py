"""A background export whose worker process dies is picked up again, with a real
worker process on Redis and PostgreSQL, killed with SIGKILL while the export runs.

To kill it *while* it runs, the test holds an ACCESS EXCLUSIVE lock on the case table from a
second connection: the worker claims the job (running, heartbeat written) and then waits in
the exporter's first read of case files. SIGKILL ends it there, as the OOM killer would: the
Celery message stays unacknowledged in Redis (redelivered only after the visibility timeout,
an hour) and the job says "running" forever. The sweeper (what beat runs every 2 minutes) sees
the stale heartbeat and re-queues it; a fresh worker finishes it; after the last allowed
attempt it is marked failed with a message instead.

Services pass only (PostgreSQL + Redis); it fails, never skips, without them."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _require_services(settings):
    if not REDIS_URL.startswith(("redis://", "rediss://")) or connection.vendor != "postgresql":
        pytest.fail("test_export_kill needs PostgreSQL and REDIS_URL (the services pass)", pytrace=False)
    settings.EXPORT_JOB_STALE_SECONDS = 1
    settings.EXPORT_JOB_MAX_ATTEMPTS = 2


def _lock_case_table():
    """A second connection holding ACCESS EXCLUSIVE on the case table until closed."""
    import psycopg

    s = connection.settings_dict
    conn = psycopg.connect(
        dbname=s["NAME"],
        host=s.get("HOST") or "127.0.0.1",
        port=s.get("PORT") or 5432,
        user=s.get("USER") or "postgres",
    )
    conn.execute("LOCK TABLE cases_casefile IN ACCESS EXCLUSIVE MODE")
    return conn


def _kill_while_running(worker, job, wait_for) -> None:
    from xian_enforcement.jobs.models import JobStatus

    lock = _lock_case_table()
    try:
        worker.start()
        wait_for(
            lambda: type(job).objects.get(pk=job.pk).status == JobStatus.RUNNING,
            timeout=60,
            what=f"the worker to start the export\n{worker.log_tail()}",
        )
        time.sleep(0.3)  # it is now waiting on the lock, inside the exporter
        assert worker.alive(), worker.log_tail()
        worker.kill()
    finally:
        lock.close()


def _queue(owner, cases_params=None):
    from xian_enforcement.jobs.services import export_job_create

    with transaction.atomic():
        return export_job_create(
            owner=owner, kind="cases", title="案卷清单", params=cases_params or {}, filter_summary="全部", rows_total=3
        )


def test_export_of_a_killed_worker_is_requeued_and_finished(users, dept):
    from django.conf import settings

    from tests.celery_process import wait_for, worker_process
    from tests.factories import CaseFileFactory
    from xian_enforcement.audit.models import AuditEvent
    from xian_enforcement.jobs.models import JobStatus
    from xian_enforcement.jobs.services import export_jobs_sweep

    for _ in range(3):
        CaseFileFactory(department=dept)
    with worker_process(REDIS_URL, ["jobs.export_run"]) as (_app, worker, _queue_name):
        job = _queue(users["legal_officer"])
        _kill_while_running(worker, job, wait_for)
        time.sleep(1.5)  # longer than EXPORT_JOB_STALE_SECONDS: nobody beats any more
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING and job.attempts == 1  # left "running" by the dead worker
        worker.start()  # systemd restarts the worker; the killed task's message is not redelivered
        assert export_jobs_sweep() == {"requeued": 1, "failed": 0}
        wait_for(
            lambda: type(job).objects.get(pk=job.pk).status == JobStatus.DONE,
            timeout=60,
            what=f"the re-queued export to finish\n{worker.log_tail()}",
        )
    job.refresh_from_db()
    assert job.attempts == 2 and job.rows_done == 3
    assert (Path(settings.MEDIA_ROOT) / job.file.name).exists()
    assert not list((Path(settings.MEDIA_ROOT) / "exports").glob("*.part"))
    assert AuditEvent.objects.filter(event_type="export").count() == 1


def test_export_killed_on_every_attempt_ends_failed_with_a_message(users, dept):
    from tests.celery_process import wait_for, worker_process
    from tests.factories import CaseFileFactory
    from xian_enforcement.jobs.models import JobStatus
    from xian_enforcement.jobs.services import export_jobs_sweep

    CaseFileFactory(department=dept)
    with worker_process(REDIS_URL, ["jobs.export_run"]) as (_app, worker, _queue_name):
        job = _queue(users["legal_officer"])
        _kill_while_running(worker, job, wait_for)
        time.sleep(1.5)
        assert export_jobs_sweep() == {"requeued": 1, "failed": 0}
        _kill_while_running(worker, job, wait_for)  # the second (last) run dies too
        time.sleep(1.5)
        assert export_jobs_sweep() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.gave_up and job.attempts == 2
    assert "中断了 2 次" in job.error
