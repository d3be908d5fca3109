"""Celery safety (security.md "Data integrity and loss"): acks_late, reject_on_worker_lost,
prefetch 1, a visibility timeout above the longest task; tasks queued on commit (nothing after a
rollback); every task idempotent — run twice through a real worker on Redis, one effect; exactly
one beat scheduler.

The configuration and source checks run in both passes; the worker tests are marked ``services``
(PostgreSQL + Redis) and fail, never skip, without them."""

from __future__ import annotations

import ast
import datetime
import os
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
PROJECT_DIRS = ("xian_enforcement", "cases", "reviews", "stats", "tolerance")


def _project_tasks() -> dict:
    from xian_enforcement.celery import app

    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_celery_configuration_does_not_lose_tasks():
    """acks_late + reject_on_worker_lost: a task whose worker dies is redelivered; prefetch 1: a
    worker holds one unacknowledged message at a time; visibility timeout above the hard time
    limit, so Redis does not redeliver a task that is still running."""
    from xian_enforcement.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_serializer == "json" and app.conf.accept_content == ["json"]
    time_limit = app.conf.task_time_limit
    assert time_limit and time_limit > 0
    if settings.REDIS_URL:
        assert app.conf.broker_transport_options["visibility_timeout"] > time_limit


def test_redis_visibility_timeout_exceeds_the_time_limit_in_production_settings():
    """The same check without depending on this pass's environment: the Redis branch of settings."""
    source = (ROOT / "xian_enforcement" / "settings.py").read_text()
    tree = ast.parse(source)
    timeouts, limits = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=False):
                if isinstance(key, ast.Constant) and key.value == "visibility_timeout":
                    timeouts.append(ast.literal_eval(value))
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "CELERY_TASK_TIME_LIMIT" for t in node.targets):
            limits.append(ast.literal_eval(node.value))
    assert limits and timeouts and min(timeouts) > max(limits)


def test_every_project_task_acks_late_and_has_an_idempotency_test():
    tasks = _project_tasks()
    assert tasks, "no project tasks registered"
    for name, task in tasks.items():
        assert task.acks_late, f"{name}: acks_late must be on"
    untested = set(tasks) - set(IDEMPOTENCY_CASES)
    assert not untested, f"add an idempotency case for {sorted(untested)} to tests/test_celery_safety.py"


def test_tasks_are_queued_only_on_commit():
    """Every ``.delay(`` / ``.apply_async(`` in project code sits inside ``transaction.on_commit``,
    so a rolled-back transaction queues nothing (the worker would otherwise read rows that never
    existed). A source check: it fails for any new call site that forgets."""
    offenders = []
    for folder in PROJECT_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            parents = {}
            for node in ast.walk(tree):
                for child in ast.iter_child_nodes(node):
                    parents[child] = node
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("delay", "apply_async"):
                    up, inside = node, False
                    while up in parents:
                        up = parents[up]
                        if isinstance(up, ast.Call) and getattr(up.func, "attr", "") == "on_commit":
                            inside = True
                            break
                    if not inside:
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"queue tasks with transaction.on_commit: {offenders}"


def test_exactly_one_beat_scheduler():
    """One beat, with its schedule in the database: the supervisor of ``make run`` starts one, the
    systemd units of docs/deploy start one, and the worker never embeds one (``-B``)."""
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
    run_all = (ROOT / "scripts" / "run_all.py").read_text()
    assert run_all.count('"beat"') + run_all.count("'beat'") >= 1
    for path in [ROOT / "scripts" / "run_all.py", *(ROOT / "docs" / "deploy").glob("*")]:
        text = path.read_text()
        assert " -B" not in text and "--beat" not in text, f"{path.name}: a worker must not embed beat"
    beats = [
        p
        for p in (ROOT / "docs" / "deploy").glob("*.service")
        if "celery" in p.read_text() and " beat" in p.read_text()
    ]
    assert len(beats) == 1, [p.name for p in beats]


# --- idempotency through a real worker on Redis ------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
DAY = datetime.datetime(2026, 7, 5, 9, 0, tzinfo=datetime.UTC)


def _counts() -> dict[str, int]:
    from cases.models import LedgerImportJob
    from reviews.models import HandlerAssessment, SemiAnnualSummary
    from stats.models import StatReport
    from xian_enforcement.audit.models import AuditEvent
    from xian_enforcement.jobs.models import ExportJob
    from xian_enforcement.notices.models import Deadline, Notification

    exports = Path(settings.MEDIA_ROOT) / "exports"
    return {
        "deadlines": Deadline.objects.count(),
        "notifications": Notification.objects.count(),
        "reports": StatReport.objects.count(),
        "summaries": SemiAnnualSummary.objects.count(),
        "handler_assessments": HandlerAssessment.objects.count(),
        "export_jobs": ExportJob.objects.count(),
        "export_jobs_done": ExportJob.objects.filter(status="done").count(),
        "export_jobs_failed": ExportJob.objects.filter(status="failed").count(),
        "export_audit_rows": AuditEvent.objects.filter(event_type="export").count(),
        "export_files": len(list(exports.glob("*"))) if exports.exists() else 0,
        "ledger_jobs": LedgerImportJob.objects.count(),
        "ledger_jobs_done": LedgerImportJob.objects.filter(status="done").count(),
        "ledger_jobs_failed": LedgerImportJob.objects.filter(status="failed").count(),
    }


def _setup_scan(users, dept):
    from xian_enforcement.notices import services

    services.deadline_open(
        subject=users["handler"],
        kind="test_transfer",
        rule_id="REV-5",
        title="测试期限",
        start_date=DAY.date() - datetime.timedelta(days=20),
        days=30,
        remind_days=[20, 27],
        assignee=users["handler"],
    )
    return ()


def _setup_nothing(users, dept):
    return ()


def _setup_year_end_assessment(users, dept):
    """REV-8: a handler with three unqualified files closed in the year before DAY."""
    from reviews.tests.factories import reviewable_file
    from reviews.tests.test_assessment import unqualified
    from tests.factories import certified_officer

    officer = certified_officer(dept)
    for _ in range(3):
        unqualified(reviewable_file(dept, main_handler=officer, closed_on=datetime.date(2025, 11, 3)), users["handler"])
    return ()


def _setup_export(users, dept):
    """A pending case-list export job (created directly, so nothing is queued by the set-up)."""
    from tests.factories import CaseFileFactory
    from xian_enforcement.jobs.models import ExportJob

    for _ in range(3):
        CaseFileFactory(department=dept)
    job = ExportJob.objects.create(owner=users["legal_officer"], kind="cases", title="案卷", params={}, rows_total=3)
    return (str(job.pk),)


def _setup_old_job(users, dept):
    from django.core.files.base import ContentFile

    from xian_enforcement.jobs.models import ExportJob

    job = ExportJob.objects.create(owner=users["legal_officer"], kind="cases", title="旧导出", status="done")
    job.file.save(f"exports/{job.pk.hex}.xlsx", ContentFile(b"PK old"), save=True)
    ExportJob.objects.filter(pk=job.pk).update(created_at=DAY - datetime.timedelta(days=30))
    return ()


def _setup_dead_export(users, dept):
    """A job left running by a dead worker after its last allowed run: the sweep fails it once."""
    from django.conf import settings as django_settings

    from xian_enforcement.jobs.models import ExportJob

    ExportJob.objects.create(
        owner=users["legal_officer"],
        kind="cases",
        title="中断的导出",
        status="running",
        started_at=DAY - datetime.timedelta(hours=1),
        heartbeat_at=DAY - datetime.timedelta(hours=1),
        attempts=django_settings.EXPORT_JOB_MAX_ATTEMPTS,
    )
    return ()


def _ledger_job(users, dept, **fields):
    """A ledger job with its stored upload (created directly, so nothing is queued by the set-up)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from cases.models import LedgerImportJob
    from cases.tests.test_ledger import good_row, xlsx
    from tests.factories import PowerItemFactory, certified_officer

    team = {"a": certified_officer(dept), "b": certified_officer(dept)}
    PowerItemFactory(department=dept, code="XZCF-0001")
    job = LedgerImportJob(owner=users["legal_officer"], department=dept, filename="台账.xlsx", **fields)
    job.path = default_storage.save(f"imports/{job.pk.hex}.xlsx", ContentFile(xlsx([good_row(team, 1)])))
    job.save()
    return job


def _setup_ledger_preview(users, dept):
    return (str(_ledger_job(users, dept).pk),)


def _setup_dead_ledger_job(users, dept):
    """A ledger job left running by a dead worker after its last allowed run: failed once."""
    from django.conf import settings as django_settings

    stale = DAY - datetime.timedelta(hours=1)
    attempts = django_settings.EXPORT_JOB_MAX_ATTEMPTS
    _ledger_job(users, dept, status="running", started_at=stale, heartbeat_at=stale, attempts=attempts)
    return ()


def _setup_old_ledger_job(users, dept):
    from cases.models import LedgerImportJob

    job = _ledger_job(users, dept, status="done")
    LedgerImportJob.objects.filter(pk=job.pk).update(created_at=DAY - datetime.timedelta(days=30))
    return ()


IDEMPOTENCY_CASES = {
    "notices.scan_deadlines": _setup_scan,
    "statistics.open_periodic_deadlines": _setup_nothing,
    "reviews.open_summary_deadlines": _setup_nothing,
    "reviews.assess_handlers_year_end": _setup_year_end_assessment,
    "jobs.export_run": _setup_export,
    "jobs.purge_old": _setup_old_job,
    "audit.anchor_chain_head": _setup_nothing,  # one anchor notification per day and administrator
    "jobs.sweep_stale": _setup_dead_export,
    "cases.ledger_job_run": _setup_ledger_preview,
    "cases.ledger_jobs_sweep": _setup_dead_ledger_job,
    "cases.ledger_jobs_purge": _setup_old_ledger_job,
}


@pytest.fixture
def redis_worker():
    """An embedded solo worker on a private Redis queue that every project task is routed to."""
    from django.db import connection

    from tests.celery_worker import embedded_worker

    if not REDIS_URL.startswith("redis://") or connection.vendor != "postgresql":
        pytest.fail("the Celery idempotency tests need PostgreSQL and REDIS_URL (the services pass)", pytrace=False)
    with embedded_worker(REDIS_URL, list(_project_tasks()), prefix="xian-safety") as (app, _worker, queue):
        yield app, queue


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("task_name", sorted(IDEMPOTENCY_CASES))
def test_every_task_run_twice_has_one_effect(redis_worker, users, dept, task_name):
    import time_machine

    app, _queue = redis_worker
    task = app.tasks[task_name]
    with time_machine.travel(DAY, tick=True):
        args = IDEMPOTENCY_CASES[task_name](users, dept)
        before = _counts()
        first = task.delay(*args)
        first.get(timeout=60)
        after_first = _counts()
        second = task.delay(*args)
        second.get(timeout=60)
        after_second = _counts()
        first.forget()
        second.forget()
    assert after_first != before, f"{task_name}: the first run should have an effect in this set-up"
    assert after_second == after_first, f"{task_name}: a second run changed {after_first} → {after_second}"


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_is_queued_after_a_rollback(redis_worker, users):
    """A task queued with on_commit inside a transaction that rolls back never reaches Redis."""
    import redis
    from django.db import transaction

    app, queue = redis_worker
    task = app.tasks["notices.scan_deadlines"]
    client = redis.Redis.from_url(REDIS_URL)
    sent = []
    with pytest.raises(RuntimeError), transaction.atomic():
        transaction.on_commit(lambda: sent.append(task.delay()))
        raise RuntimeError("roll back")
    assert sent == []
    assert client.llen(queue) == 0
    with transaction.atomic():
        transaction.on_commit(lambda: sent.append(task.delay()))
    assert len(sent) == 1
    sent[0].get(timeout=60)
    sent[0].forget()
    client.close()
