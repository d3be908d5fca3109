"""TOL-14c: the 7-day notification deadline (reminder day 5, overdue notice day 8), delivery and
acknowledgement records, idempotent notifications."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from tests.factories import CaseFileFactory, certified_officer
from tolerance import services
from tolerance.models import DecisionNotice
from tolerance.services import NOTIFY_KIND
from tolerance.tests.factories import decide, investigating
from xian_enforcement.errors import DomainError
from xian_enforcement.notices.models import Deadline, Notification
from xian_enforcement.notices.services import deadline_scan

pytestmark = pytest.mark.django_db
DAY0 = datetime.date(2026, 4, 1)


def _day(n: int) -> datetime.date:
    return DAY0 + datetime.timedelta(days=n)


@time_machine.travel(datetime.datetime(2026, 4, 1, 9, 0), tick=False)
def test_tol_14c_deadline_opens_with_reminder_day_5_and_overdue_day_8(users):
    decision = decide(users, investigating(users), on=DAY0)
    deadline = Deadline.objects.get(kind=NOTIFY_KIND, object_id=decision.pk)
    assert deadline.rule_id == "TOL-14c"
    assert deadline.due_date == _day(7)
    assert deadline.steps() == [_day(5), _day(8)]
    party = users["party_member"]

    assert deadline_scan(today=_day(4)) == 0
    assert deadline_scan(today=_day(5)) == 1
    reminder = Notification.objects.get(recipient=party, kind="reminder")
    assert "TOL-14c" in reminder.title
    assert deadline_scan(today=_day(5)) == 0  # idempotent
    assert deadline_scan(today=_day(7)) == 0
    assert deadline_scan(today=_day(8)) == 1
    overdue = Notification.objects.filter(kind="overdue", rule_id="TOL-14c")
    recipients = set(overdue.values_list("recipient__username", flat=True))
    assert {party.username, users["legal_head"].username, users["legal_officer"].username} <= recipients
    count = Notification.objects.count()
    assert deadline_scan(today=_day(9)) == 0
    assert Notification.objects.count() == count


@time_machine.travel(datetime.datetime(2026, 4, 1, 9, 0), tick=False)
def test_tol_14c_notices_to_party_and_each_related_unit(users, dept, other_dept):
    related_head = certified_officer(other_dept, roles=["legal_head"]).user
    case = CaseFileFactory(department=other_dept)
    application = investigating(users)
    application.case_files.add(case)
    decision = decide(users, application, on=DAY0)
    rows = DecisionNotice.objects.filter(decision=decision)
    assert set(rows.values_list("recipient_id", flat=True)) == {
        users["handler"].pk,
        users["legal_head"].pk,
        users["unit_head"].pk,
        related_head.pk,
    }
    assert rows.get(recipient=users["handler"]).recipient_kind == "party"


def test_tol_14c_delivery_on_day_n_meets_deadline_and_is_idempotent(users):
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, 0), tick=False):
        decision = decide(users, investigating(users), on=DAY0)
    with time_machine.travel(datetime.datetime(2026, 4, 4, 10, 0), tick=False):
        sent = services.decision_notify(decision=decision, by_user=users["legal_officer"])
        assert sent == decision.notices.count() == 3
        assert services.decision_notify(decision=decision, by_user=users["legal_officer"]) == 0
    assert Notification.objects.filter(rule_id="TOL-14c", kind="info").count() == 3
    decision.refresh_from_db()
    assert decision.notified_on == _day(3)
    assert Deadline.objects.get(kind=NOTIFY_KIND, object_id=decision.pk).status == "met"
    notice = decision.notices.get(recipient=users["handler"])
    assert notice.delivered_at.date() == _day(3)
    assert deadline_scan(today=_day(8)) == 0  # met: no overdue notice


def test_tol_14c_acknowledgement_recorded_by_the_recipient_only(users):
    decision = decide(users, investigating(users))
    notice = decision.notices.get(recipient=users["handler"])
    with pytest.raises(DomainError, match="尚未送达"):
        services.notice_acknowledge(notice=notice, by_user=users["handler"])
    services.decision_notify(decision=decision, by_user=users["party_member"])
    with pytest.raises(DomainError) as exc:
        services.notice_acknowledge(notice=notice, by_user=users["legal_head"])
    assert exc.value.rule_id == "TOL-14c"
    services.notice_acknowledge(notice=notice, by_user=users["handler"])
    notice.refresh_from_db()
    assert notice.acknowledged_at is not None


def test_tol_14c_only_the_unit_delivers(users):
    decision = decide(users, investigating(users))
    for role in ("handler", "bureau_staff", "unit_head"):
        with pytest.raises(DomainError) as exc:
            services.decision_notify(decision=decision, by_user=users[role])
        assert exc.value.rule_id == "TOL-14c"


def test_tol_14c_days_configurable(users, settings):
    settings.RULES = {**settings.RULES, "TOL_14C_NOTIFY_DAYS": 10}
    decision = decide(users, investigating(users), on=DAY0)
    assert Deadline.objects.get(kind=NOTIFY_KIND, object_id=decision.pk).due_date == _day(10)
