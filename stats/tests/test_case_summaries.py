"""performance.md target 4: the maintained case-file summary (statistics.CaseMonthSummary) always
equals a fresh aggregate of the case table, after creates, edits of every field that matters,
deletes, random sequences of them, and the rebuild command."""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

import pytest
from django.core.management import call_command

from cases import services
from cases.choices import LitigationState, ReconsiderationState
from cases.models import CaseFile
from stats.case_summaries import county_rows, fresh_aggregate, fresh_county_aggregate, summary_rebuild, summary_rows
from stats.models import CaseMonthSummary
from tests.factories import CaseFileFactory, DepartmentFactory, RegionFactory, category, certified_officer

D = datetime.date
pytestmark = pytest.mark.django_db


def assert_summary_matches():
    """Both maintained tables (department × category × month, and county × category × month)
    equal fresh aggregates of the case table."""
    fresh = fresh_aggregate()
    assert summary_rows() == fresh
    assert county_rows() == fresh_county_aggregate()
    return fresh


@pytest.fixture
def far_dept():
    return DepartmentFactory(region=RegionFactory(code="141032", name="永和县"), name="永和县交通运输局")


def test_create_edit_delete_each_field_moves_counts(dept, other_dept, far_dept):
    """Each field the dashboards aggregate, edited on its own, moves counts between rows."""
    case = CaseFileFactory(department=dept, filed_on=D(2026, 1, 5), fine_amount=Decimal("100.50"))
    rows = assert_summary_matches()
    assert rows[(dept.pk, case.category_id, 2026, 1)]["filed"] == 1
    edits = [
        {"filed_on": D(2025, 12, 30)},
        {"hearing_held": True},
        {"decided_on": D(2026, 2, 1)},
        {"fine_amount": Decimal("999.99")},
        {"confiscation_amount": Decimal("10.01")},
        {"closed_on": D(2026, 3, 1)},
        {"transferred_for_review_on": D(2026, 3, 20)},  # on time (≤ 30 days)
        {"transferred_for_review_on": D(2026, 5, 20)},  # late
        {"reconsideration": ReconsiderationState.PENDING},  # REV-12: no longer reviewable
        {"reconsideration": ReconsiderationState.NONE, "litigation": LitigationState.PENDING},
        {"litigation": LitigationState.NONE},
        {"closed_on": D(2026, 4, 30)},
        {"category": category("inspection")},
        {"department": other_dept, "main_handler": certified_officer(other_dept)},
        {"department": far_dept, "main_handler": certified_officer(far_dept)},  # another county
        {"decided_on": None},
        {"closed_on": None, "transferred_for_review_on": None},
    ]
    for edit in edits:
        for field, value in edit.items():
            setattr(case, field, value)
        case.save()
        assert_summary_matches()
    case.delete()
    assert assert_summary_matches() == {}


def test_queryset_update_is_not_seen_but_rebuild_repairs(dept):
    """A bulk path (queryset.update, bulk_create) bypasses the signals; summary_rebuild and the
    rebuild_summaries command bring the table back to the fresh aggregate."""
    CaseFileFactory(department=dept, filed_on=D(2026, 1, 5))
    CaseFile.objects.update(filed_on=D(2026, 6, 5))
    assert summary_rows() != fresh_aggregate()
    summary_rebuild([dept.pk])
    assert_summary_matches()
    CaseFile.objects.update(filed_on=D(2026, 7, 5))
    call_command("rebuild_summaries", region=dept.region.code, stdout=io.StringIO())
    assert_summary_matches()
    CaseFile.objects.update(filed_on=D(2026, 8, 5))
    call_command("rebuild_summaries", stdout=io.StringIO())
    assert_summary_matches()


def test_services_create_update_transfer_keep_summary(users, dept):
    """The case-file services (and so the ledger import, which writes through them)."""
    handler = users["handler"].officer
    co = certified_officer(dept)
    data = {
        "number": "隰测罚〔2026〕900号",
        "category": category("punishment"),
        "title": "未按规定经营",
        "party_name": "某商户",
        "main_handler": handler,
        "filed_on": D(2026, 1, 3),
        "fine_amount": Decimal("200"),
    }
    case = services.case_file_create(department=dept, data=data, co_handlers=[co])
    assert_summary_matches()
    services.case_file_update(
        case_file=case,
        data={**data, "decided_on": D(2026, 1, 20), "closed_on": D(2026, 2, 1)},
        co_handlers=[co],
    )
    assert_summary_matches()
    services.case_file_transfer_for_review(case_file=case, by_user=users["handler"], on=D(2026, 2, 10))
    rows = assert_summary_matches()
    assert rows[(dept.pk, case.category_id, 2026, 2)]["on_time"] == 1
    assert rows[(dept.pk, case.category_id, 2026, 1)]["amount_cents"] == 20000


def test_random_operations_property(dept, other_dept, far_dept):
    """Property: after any sequence of random creates, edits and deletes, summary == aggregate."""
    rng = random.Random(20261127)
    cats = [category("punishment"), category("inspection"), category("licensing")]
    depts = [dept, other_dept, far_dept]
    handlers = {d.pk: certified_officer(d) for d in depts}
    cases: list[CaseFile] = []

    def random_dates():
        filed = D(2025, 1, 1) + datetime.timedelta(days=rng.randrange(700))
        decided = filed + datetime.timedelta(days=rng.randrange(60)) if rng.random() < 0.7 else None
        closed = (decided or filed) + datetime.timedelta(days=rng.randrange(90)) if rng.random() < 0.6 else None
        transferred = closed + datetime.timedelta(days=rng.randrange(60)) if closed and rng.random() < 0.5 else None
        return {"filed_on": filed, "decided_on": decided, "closed_on": closed, "transferred_for_review_on": transferred}

    for step in range(120):
        op = rng.random()
        if op < 0.4 or not cases:
            d = rng.choice(depts)
            cases.append(
                CaseFileFactory(
                    department=d,
                    main_handler=handlers[d.pk],
                    category=rng.choice(cats),
                    fine_amount=Decimal(rng.randrange(0, 100000)) / 100,
                    hearing_held=rng.random() < 0.3,
                    co_handlers=[],
                    **random_dates(),
                )
            )
        elif op < 0.85:
            case = rng.choice(cases)
            change = rng.choice(["dates", "category", "department", "amounts", "flags"])
            if change == "dates":
                for k, v in random_dates().items():
                    setattr(case, k, v)
            elif change == "category":
                case.category = rng.choice(cats)
            elif change == "department":
                case.department = rng.choice(depts)
                case.main_handler = handlers[case.department_id]
            elif change == "amounts":
                case.fine_amount = Decimal(rng.randrange(0, 100000)) / 100
                case.confiscation_amount = Decimal(rng.randrange(0, 5000)) / 100
            else:
                case.hearing_held = not case.hearing_held
                case.reconsideration = rng.choice(ReconsiderationState.values)
            case.save()
        else:
            cases.pop(rng.randrange(len(cases))).delete()
        if step % 20 == 0:
            assert_summary_matches()
    assert_summary_matches()
    assert CaseMonthSummary.objects.exists()
