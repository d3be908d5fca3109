"""REV-9 semi-annual summaries: deadlines 15 July / 15 January, overdue with frozen time,
submission meets the deadline, the bureau marks it received."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from reviews import half_year_summaries
from reviews.tasks import open_summary_deadlines
from xian_enforcement.errors import DomainError
from xian_enforcement.notices.choices import DeadlineStatus
from xian_enforcement.notices.models import Deadline
from xian_enforcement.notices.services import deadline_scan

from .factories import locked_review, reviewable_file

pytestmark = pytest.mark.django_db


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC), tick=False)


def test_rev_9_default_due_dates_are_15_july_and_15_january():
    assert half_year_summaries.due_date(2026, 1) == datetime.date(2026, 7, 15)
    assert half_year_summaries.due_date(2026, 2) == datetime.date(2027, 1, 15)


def test_rev_9_due_days_configurable(settings):
    settings.RULES = {**settings.RULES, "REV_9_DUE_DAYS": 20}
    assert half_year_summaries.due_date(2026, 1) == datetime.date(2026, 7, 20)


def test_rev_9_task_opens_deadlines_once_and_overdue_is_flagged(users, dept, other_dept):
    with at(datetime.date(2026, 7, 2)):
        assert open_summary_deadlines() >= 2
        open_summary_deadlines()
        deadline = Deadline.objects.get(kind="rev9_summary_2026h1", object_id=dept.pk)
        assert deadline.due_date == datetime.date(2026, 7, 15) and deadline.rule_id == "REV-9"
        assert Deadline.objects.filter(kind="rev9_summary_2026h1", object_id=dept.pk).count() == 1
        rows = {d.pk: d for d in half_year_summaries.summary_status(dept.region_id, 2026, 1)}
        assert not rows[dept.pk].overdue
    with at(datetime.date(2026, 7, 16)):
        rows = {d.pk: d for d in half_year_summaries.summary_status(dept.region_id, 2026, 1)}
        assert rows[dept.pk].overdue and rows[other_dept.pk].overdue
        deadline_scan()
        deadline.refresh_from_db()
        assert deadline.is_overdue


def test_rev_9_submission_prefills_figures_and_meets_the_deadline(users, dept):
    locked_review(reviewable_file(dept), users)
    with at(datetime.date(2026, 7, 2)):
        open_summary_deadlines()
        summary = half_year_summaries.summary_submit(
            by=users["legal_officer"], year=2026, half=1, text="上半年自查 1 件，优秀 1 件。"
        )
    assert summary.figures["reviewed"] == 1 and summary.figures["excellent"] == 1 and summary.on_time
    deadline = Deadline.objects.get(kind="rev9_summary_2026h1", object_id=dept.pk)
    assert deadline.status == DeadlineStatus.MET
    with at(datetime.date(2026, 7, 20)):
        row = {d.pk: d for d in half_year_summaries.summary_status(dept.region_id, 2026, 1)}[dept.pk]
        assert not row.overdue and row.summary == summary


def test_rev_9_late_submission_is_marked_late(users, dept):
    with at(datetime.date(2026, 7, 20)):
        summary = half_year_summaries.summary_submit(by=users["legal_head"], year=2026, half=1, text="迟报")
    assert not summary.on_time


@pytest.mark.parametrize("role", ["handler", "unit_head", "bureau_staff", "leader"])
def test_rev_9_only_the_legal_office_submits(users, role):
    with at(datetime.date(2026, 7, 2)), pytest.raises(DomainError) as exc:
        half_year_summaries.summary_submit(by=users[role], year=2026, half=1, text="x")
    assert exc.value.rule_id == "REV-9"


def test_rev_9_empty_text_or_unfinished_half_refused(users):
    with at(datetime.date(2026, 7, 2)):
        with pytest.raises(DomainError):
            half_year_summaries.summary_submit(by=users["legal_officer"], year=2026, half=1, text="  ")
        with pytest.raises(DomainError):
            half_year_summaries.summary_submit(by=users["legal_officer"], year=2026, half=2, text="早报")


def test_rev_9_bureau_marks_received_once(users, dept):
    with at(datetime.date(2026, 7, 2)):
        summary = half_year_summaries.summary_submit(by=users["legal_officer"], year=2026, half=1, text="总结")
    with pytest.raises(DomainError):
        half_year_summaries.summary_mark_received(summary=summary, by=users["legal_head"])
    half_year_summaries.summary_mark_received(summary=summary, by=users["bureau_staff"])
    summary.refresh_from_db()
    assert summary.received_by == users["bureau_staff"]
    with pytest.raises(DomainError):
        half_year_summaries.summary_mark_received(summary=summary, by=users["bureau_staff"])


def test_rev_9_reminder_before_the_due_date_reaches_the_units_legal_office(users, dept):
    """REV-9: the summary is owed by the unit's legal office, so the reminders (not only the
    overdue notice) land in the inbox of its legal officers and legal office head, and of no
    one else in the unit."""
    from xian_enforcement.notices.choices import NotificationKind
    from xian_enforcement.notices.models import Notification

    with at(datetime.date(2026, 7, 2)):
        open_summary_deadlines()
    with at(datetime.date(2026, 7, 5)):  # REV_9_REMIND_DAYS: day 5 after 30 June, 10 days left
        deadline_scan()
        deadline = Deadline.objects.get(kind="rev9_summary_2026h1", object_id=dept.pk)
        assert not deadline.is_overdue
    reminders = Notification.objects.filter(deadline=deadline, kind=NotificationKind.REMINDER)
    assert {n.recipient for n in reminders} == {users["legal_officer"], users["legal_head"]}
    assert all("REV-9" in n.title and "10" in n.title for n in reminders)


def test_semi_annual_summary_on_time_uses_the_local_date():
    """An aware submission time counts by its local (Asia/Shanghai) date: 01:00 in Beijing on the
    28th is the 27th in UTC, where the database keeps it, and is a day late for a due date of the
    27th."""
    from reviews.models_inspection import SemiAnnualSummary

    at_beijing_0100 = datetime.datetime(2026, 11, 27, 17, 0, tzinfo=datetime.UTC)
    summary = SemiAnnualSummary(submitted_at=at_beijing_0100, due_date=datetime.date(2026, 11, 27))
    assert timezone.localtime(at_beijing_0100).date() == datetime.date(2026, 11, 28)
    assert summary.on_time is False
