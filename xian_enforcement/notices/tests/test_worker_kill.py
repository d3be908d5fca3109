"""No reminder is lost when a worker dies mid-scan (architecture.md "One mechanism for deadlines").

A real Celery worker process on Redis scans a few thousand due steps in PostgreSQL and is
killed with SIGKILL in the middle of the scan, several times; a worker is started again each
time, as systemd would, and beat queues the next scan. At the end every step of every deadline
has reached every recipient exactly once: the step's claim and its stored notifications are
one transaction, so a kill rolls both back and the next scan takes the step again. (Before,
the claim committed on its own: a kill between claim and notification lost the reminder.)

Half the steps are reminders (one recipient, the handler); half are overdue notices that also
go to the two legal officers of the unit, so a step stores three notifications.

Services pass only (PostgreSQL + Redis); it fails, never skips, without them."""

from __future__ import annotations

import datetime
import os
import time

import pytest
from django.db import connection
from django.utils import timezone

REDIS_URL = os.environ.get("REDIS_URL", "")
DEADLINES = 1500  # 750 reminders + 750 overdue notices to three people: 3,000 notifications
KILLS = 5

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _require_services():
    if not REDIS_URL.startswith(("redis://", "rediss://")) or connection.vendor != "postgresql":
        pytest.fail("test_worker_kill needs PostgreSQL and REDIS_URL (the services pass)", pytrace=False)


def _make_due_deadlines(dept) -> tuple[list, list]:
    from django.contrib.contenttypes.models import ContentType

    from tests.factories import certified_officer
    from xian_enforcement.notices.models import Deadline

    handlers = [certified_officer(dept, roles=["handler"]).user for _ in range(10)]
    legal = [certified_officer(dept, roles=["legal_officer"]).user for _ in range(2)]
    today = timezone.localdate()
    ct = ContentType.objects.get_for_model(type(dept))
    rows = []
    for i in range(DEADLINES):
        overdue = i % 2 == 1
        start = today - datetime.timedelta(days=40 if overdue else 20)
        d = Deadline(
            rule_id="REV-5",
            kind="test_kill",
            title=f"测试期限 {i}",
            content_type=ct,
            object_id=i + 1,
            department=dept,
            assignee=handlers[i % len(handlers)],
            escalate_roles=["legal_officer"] if overdue else [],
            start_date=start,
            due_date=start + datetime.timedelta(days=30),
            remind_days=[20, 27],
        )
        d.next_action_on = d.compute_next_action()
        rows.append(d)
    Deadline.objects.bulk_create(rows, batch_size=1000)
    return handlers, legal


def _expected(legal) -> set[tuple[int, int]]:
    from xian_enforcement.notices.models import Deadline

    pairs = set()
    for pk, assignee_id, escalate in Deadline.objects.filter(kind="test_kill").values_list(
        "pk", "assignee_id", "escalate_roles"
    ):
        pairs.add((pk, assignee_id))
        if escalate:
            pairs.update((pk, u.pk) for u in legal)
    return pairs


def _claimed_but_missing(expected) -> int:
    """Steps taken (stage moved) whose notifications are not all stored: lost reminders."""
    from xian_enforcement.notices.models import Deadline, Notification

    claimed = set(Deadline.objects.filter(kind="test_kill", stage__gt=0).values_list("pk", flat=True))
    stored = set(Notification.objects.filter(deadline_id__in=claimed).values_list("deadline_id", "recipient_id"))
    return len({pk for pk, user in expected if pk in claimed and (pk, user) not in stored})


def test_no_reminder_is_lost_when_the_worker_is_killed_mid_scan(dept):
    from tests.celery_process import wait_for, worker_process
    from xian_enforcement.notices.models import Deadline, Notification

    _handlers, legal = _make_due_deadlines(dept)
    expected = _expected(legal)
    assert len(expected) == DEADLINES * 2
    steps = Deadline.objects.filter(kind="test_kill")
    started = time.monotonic()
    kills = []
    with worker_process(REDIS_URL, ["notices.scan_deadlines"]) as (app, worker, _queue):
        for k in range(KILLS):
            # Beat queues a scan; a fresh worker (systemd restarts it) starts on it and is
            # killed once it has taken a further share of the steps.
            before = steps.filter(stage__gt=0).count()
            worker.start()
            app.send_task("notices.scan_deadlines")
            target = min(DEADLINES - 1, before + max(1, (DEADLINES - before) // (KILLS + 1 - k)))
            wait_for(
                lambda t=target: steps.filter(stage__gt=0).count() >= t or not worker.alive(),
                timeout=60,
                interval=0.05,
                what=f"kill {k + 1}: the scan to pass {target} steps\n{worker.log_tail()}",
            )
            assert worker.alive(), worker.log_tail()
            worker.kill()
            done = steps.filter(stage__gt=0).count()
            kills.append((done, _claimed_but_missing(expected)))
        worker.start()
        app.send_task("notices.scan_deadlines")
        wait_for(
            lambda: (
                not steps.filter(next_action_on__lte=timezone.localdate(), status="open").exists()
                and not Notification.objects.filter(email_pending=True).exists()
            ),
            timeout=90,
            interval=0.2,
            what=f"the last scan to finish\n{worker.log_tail()}",
        )
        worker.stop()
    elapsed = time.monotonic() - started

    stored = list(Notification.objects.filter(deadline__kind="test_kill").values_list("deadline_id", "recipient_id"))
    report = (
        f"{DEADLINES} due steps, {len(expected)} notifications expected, {KILLS} SIGKILLs at "
        f"(steps taken, claimed but unsent) {kills}; stored {len(stored)}, distinct {len(set(stored))}, "
        f"{elapsed:.1f} s"
    )
    print(report)
    assert all(missing == 0 for _done, missing in kills), report
    assert sorted(stored) == sorted(expected), report
    assert not steps.filter(stage=0).exists(), report
    assert not Notification.objects.filter(emailed_at__isnull=True).exists(), report
