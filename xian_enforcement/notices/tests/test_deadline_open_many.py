"""REV-5 deadlines opened set-based (performance.md target 12): ``deadline_open_many``
leaves every deadline exactly as ``deadline_open`` called subject by subject would — new, open
unchanged, open with new dates, cancelled, met — with the reminder schedule, assignee and roles,
and it takes a fixed number of queries however many subjects there are, not one
``deadline_open`` per subject."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from xian_enforcement.notices import services
from xian_enforcement.notices.choices import DeadlineStatus
from xian_enforcement.notices.models import Deadline
from xian_enforcement.org.choices import Role

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 4, 1)
RULE = {
    "kind": "test_rev5",
    "rule_id": "REV-5",
    "days": 30,
    "remind_days": [20, 27],
    "escalate_roles": [Role.LEGAL_HEAD, Role.LEGAL_OFFICER],
    "remind_roles": [Role.LEGAL_OFFICER],
}
FIELDS = [
    "rule_id",
    "kind",
    "title",
    "object_id",
    "url",
    "department_id",
    "assignee_id",
    "escalate_roles",
    "remind_roles",
    "start_date",
    "due_date",
    "remind_days",
    "stage",
    "next_action_on",
    "status",
    "met_at",
]


def _state(subjects) -> list[dict]:
    return list(
        Deadline.objects.filter(kind=RULE["kind"], object_id__in=[s.pk for s in subjects])
        .order_by("object_id")
        .values(*FIELDS)
    )


def _history(subjects, dept):
    """Five subjects, each with its own history before the (re)opening: none, open at stage 1,
    open at stage 1 whose closing date now moves, cancelled (reopened file closed again), met."""
    none, same, moved, cancelled, met = subjects
    for subject in (same, moved, cancelled, met):
        services.deadline_open(
            subject=subject, title="旧", start_date=START, department=dept, assignee=subject, url="/old/", **RULE
        )
    Deadline.objects.filter(object_id__in=[same.pk, moved.pk]).update(stage=1)
    services.deadline_cancel(subject=cancelled, kind=RULE["kind"])
    services.deadline_meet(subject=met, kind=RULE["kind"])
    return {none.pk: START, same.pk: START, moved.pk: START + datetime.timedelta(days=3)}


def _openings(subjects, dept, starts):
    return [
        services.DeadlineOpening(
            subject=s,
            title=f"移交案卷自查：{s.pk}",
            start_date=starts.get(s.pk, START + datetime.timedelta(days=1)),
            department=dept,
            assignee=s,
            url=f"/cases/{s.pk}/",
        )
        for s in subjects
    ]


def test_rev5_open_many_equals_open_one_by_one(dept):
    one_by_one = [UserFactory() for _ in range(5)]
    set_based = [UserFactory() for _ in range(5)]
    starts_a = _history(one_by_one, dept)
    starts_b = _history(set_based, dept)
    for o in _openings(one_by_one, dept, starts_a):
        services.deadline_open(
            subject=o.subject,
            title=o.title,
            start_date=o.start_date,
            department=o.department,
            assignee=o.assignee,
            url=o.url,
            **RULE,
        )
    assert services.deadline_open_many(openings=_openings(set_based, dept, starts_b), **RULE) == 5

    def comparable(rows, subjects):
        index = {s.pk: i for i, s in enumerate(subjects)}
        out = []
        for row in rows:
            row = dict(row)
            i = index[row.pop("object_id")]
            assert row.pop("assignee_id") == subjects[i].pk
            row["title"] = row["title"].rsplit("：", 1)[0]
            row["url"] = row["url"].split("/")[1]
            row["met_at"] = row["met_at"] is not None
            out.append((i, row))
        return sorted(out, key=lambda pair: pair[0])

    a, b = comparable(_state(one_by_one), one_by_one), comparable(_state(set_based), set_based)
    assert a == b
    by_index = dict(b)
    assert by_index[0]["stage"] == 0 and by_index[0]["next_action_on"] == START + datetime.timedelta(days=20)
    assert by_index[1]["stage"] == 1 and by_index[1]["next_action_on"] == START + datetime.timedelta(days=27)
    assert by_index[2]["stage"] == 0 and by_index[2]["due_date"] == START + datetime.timedelta(days=33)
    assert by_index[3]["status"] == DeadlineStatus.OPEN and by_index[3]["met_at"] is False
    assert by_index[4]["status"] == DeadlineStatus.MET and by_index[4]["next_action_on"] is None
    assert by_index[0]["escalate_roles"] == [Role.LEGAL_HEAD, Role.LEGAL_OFFICER]
    assert by_index[0]["remind_roles"] == [Role.LEGAL_OFFICER]


def test_rev5_open_many_takes_a_fixed_number_of_queries(dept):
    """Deduped on (subject, kind): twice the same subject is one deadline, its last entry wins;
    and 60 subjects take (about) the same queries as 6."""
    few = [UserFactory() for _ in range(6)]
    many = [UserFactory() for _ in range(60)]
    with CaptureQueriesContext(connection) as small:
        services.deadline_open_many(openings=_openings(few, dept, {}), **RULE)
    with CaptureQueriesContext(connection) as large:
        services.deadline_open_many(openings=_openings(many, dept, {}), **RULE)
    assert len(small) <= 6 and len(large) <= len(small) + 2  # SQLite splits an insert by 999 parameters
    again = _openings(few[:1], dept, {}) + _openings(few[:1], dept, {few[0].pk: START})
    services.deadline_open_many(openings=again, **RULE)
    assert Deadline.objects.filter(kind=RULE["kind"], object_id=few[0].pk).get().start_date == START
    assert Deadline.objects.filter(kind=RULE["kind"]).count() == 66


def test_meet_and_cancel_many(dept):
    subjects = [UserFactory() for _ in range(4)]
    services.deadline_open_many(openings=_openings(subjects, dept, {}), **RULE)
    assert services.deadline_meet_many(subjects=subjects[:2], kind=RULE["kind"]) == 2
    assert services.deadline_cancel_many(subjects=subjects, kind=RULE["kind"]) == 2  # met ones stay met
    statuses = [d["status"] for d in _state(subjects)]
    assert sorted(statuses) == ["cancelled", "cancelled", "met", "met"]
    assert services.deadline_meet_many(subjects=[], kind=RULE["kind"]) == 0
