"""The deadline scan through the real machinery: a Celery worker consuming from Redis and
writing to PostgreSQL, and two scans racing on PostgreSQL (architecture.md "One mechanism for
deadlines": each step is claimed atomically, so two runs never notify twice).

These tests need ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``; the SQLite pass deselects them
with ``-m "not services"``. Run without those services they fail (never skip), so a PostgreSQL
pass that lost its services cannot go green silently.
"""

from __future__ import annotations

import datetime
import os
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _require_services():
    """Fail loudly (not skip) unless run against PostgreSQL and Redis. The check runs as a
    fixture rather than at import so that ``-m "not services"`` still collects this module."""
    if not DATABASE_URL.startswith(("postgres://", "postgresql://")):
        pytest.fail("test_celery_scan needs DATABASE_URL=postgres://… (run the PostgreSQL pass)", pytrace=False)
    if not REDIS_URL.startswith(("redis://", "rediss://")):
        pytest.fail("test_celery_scan needs REDIS_URL=redis://… (run the PostgreSQL pass)", pytrace=False)
    if connection.vendor != "postgresql":
        pytest.fail(f"test_celery_scan needs PostgreSQL, but the test database is {connection.vendor}", pytrace=False)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _due_deadline(assignee, *, reminder_today: bool = True):
    """A REV-5-shaped deadline whose first reminder (day 20) is due today and nothing else."""
    from xian_enforcement.notices import services

    today = timezone.localdate()
    start = today - datetime.timedelta(days=20 if reminder_today else 5)
    return services.deadline_open(
        subject=assignee,  # any model will do as the subject
        kind="test_transfer",
        rule_id="REV-5",
        title=f"测试期限 {assignee.username}",
        start_date=start,
        days=30,
        remind_days=[20, 27],
        assignee=assignee,
    )


@pytest.fixture(params=[("solo", 1), ("threads", 2)], ids=["solo", "threads"])
def celery_worker(request):
    """An embedded worker (solo pool, or two threads so that both scans run at once) on a
    private Redis queue that ``notices.scan_deadlines`` is routed to, with the Redis result
    backend. Stopped, the queue deleted and the app's configuration restored afterwards."""
    import xian_enforcement.notices.tasks  # noqa: F401  (registers notices.scan_deadlines)
    from tests.celery_worker import embedded_worker

    pool, concurrency = request.param
    with embedded_worker(REDIS_URL, ["notices.scan_deadlines"], pool=pool, concurrency=concurrency) as (
        app,
        worker,
        _q,
    ):
        yield app, worker


def test_rev_5_celery_worker_sends_a_due_reminder_once(celery_worker):
    """notices.scan_deadlines sent twice with ``.delay()``: the worker runs both, one sends the
    day-20 reminder, the other finds the step taken."""
    from tests.factories import UserFactory
    from xian_enforcement.notices.choices import NotificationKind
    from xian_enforcement.notices.models import Notification
    from xian_enforcement.notices.tasks import scan_deadlines

    _app, _worker = celery_worker
    user = UserFactory()
    deadline = _due_deadline(user)

    first, second = scan_deadlines.delay(), scan_deadlines.delay()
    try:
        results = sorted([first.get(timeout=60), second.get(timeout=60)])
    finally:
        first.forget()
        second.forget()

    assert results == [0, 1]
    notifications = Notification.objects.filter(deadline=deadline)
    assert notifications.count() == 1
    notification = notifications.get()
    assert notification.recipient == user
    assert notification.kind == NotificationKind.REMINDER
    assert notification.emailed_at is not None
    deadline.refresh_from_db()
    assert deadline.stage == 1
    assert deadline.next_action_on == deadline.start_date + datetime.timedelta(days=27)


def _scan_twice_at_once(today: datetime.date) -> list[int]:
    """Run ``deadline_scan`` in two threads released together; return what each sent."""
    from xian_enforcement.notices import services

    barrier = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait(timeout=10)
            sent.append(services.deadline_scan(today=today))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(sent) == 2
    return sent


def test_rev_5_two_concurrent_scans_notify_once_per_step():
    """Two scans started together on PostgreSQL: every due step is sent by exactly one of them."""
    from tests.factories import UserFactory
    from xian_enforcement.notices.models import Notification

    deadlines = [_due_deadline(UserFactory()) for _ in range(25)]
    not_due = _due_deadline(UserFactory(), reminder_today=False)
    today = timezone.localdate()

    for attempt in range(3):
        sent = _scan_twice_at_once(today)
        # The first pair shares the 25 steps between them; later pairs find nothing left.
        assert sum(sent) == (len(deadlines) if attempt == 0 else 0), sent

    for deadline in deadlines:
        assert Notification.objects.filter(deadline=deadline).count() == 1, deadline
        deadline.refresh_from_db()
        assert deadline.stage == 1
    assert not Notification.objects.filter(deadline=not_due).exists()
    assert Notification.objects.count() == len(deadlines)


def test_worker_thread_connections_are_closed():
    """The embedded worker and the scan threads must not leave sessions open on the test
    database (they would block dropping it at the end of the run)."""
    deadline_time = time.monotonic() + 10
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()"
            )
            others = cursor.fetchone()[0]
        if others == 0 or time.monotonic() > deadline_time:
            break
        time.sleep(0.2)
    assert others == 0
