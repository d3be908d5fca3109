"""Fixtures of the statistics tests: a unit with powers and known records for 2026 H1."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache

from cases.models import PenaltyKind
from tests.factories import (
    CaseFileFactory,
    DepartmentFactory,
    OfficerFactory,
    PowerItemFactory,
    category,
    certified_officer,
)

from .factories import TrainingSessionFactory

D = datetime.date


@pytest.fixture(autouse=True)
def _empty_cache():
    """The dashboard caches its aggregates (locmem in tests, one per process): no test may see
    another's entries (ids and dates repeat between tests)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 7, 2, 2, 0, tzinfo=datetime.UTC), tick=False):
        yield D(2026, 7, 2)


def kinds(*codes):
    return list(PenaltyKind.objects.filter(code__in=codes))


@pytest.fixture
def records(users, dept, today):
    """``dept`` holds powers of 处罚 and 检查 (not 许可, not 强制) and these 2026 H1 records:

    - P1 decided 2026-02: 警告 + 罚款 + 吊销许可证件 → counts once under 吊销 (heaviest); 3,000 + 500
    - P2 decided 2026-03: 罚款 only; 1,000; hearing held; reconsideration corrected
    - P3 decided 2026-05: no kinds recorded; 200; litigation lost; transferred to police 2026-05-20
    - P4 filed 2025-12, not closed before 2026 → carried over; closed 2026-04
    - P5 decided 2025 (outside the period)
    - I1 inspection with complete record filed 2026-04; I2 without complete record
    Officers of ``dept``: the five department users (all certified) + one without certificate.
    Training: one session held by ``dept`` in March (4 h, 2 attendees of dept), and one held by
    ``other_dept`` in May (3 h) attended by one officer of dept.
    """
    PowerItemFactory(department=dept, category=category("punishment"))
    PowerItemFactory(department=dept, category=category("inspection"))
    main, co = users["handler"].officer, users["legal_officer"].officer

    def case(**kw):
        penalties = kw.pop("penalties", [])
        c = CaseFileFactory(department=dept, main_handler=main, co_handlers=[co], **kw)
        c.penalty_kinds.set(kinds(*penalties))
        return c

    files = {
        "P1": case(
            filed_on=D(2026, 1, 5),
            decided_on=D(2026, 2, 1),
            fine_amount=Decimal("3000"),
            confiscation_amount=Decimal("500"),
            penalties=["warning", "fine", "licence_revocation"],
        ),
        "P2": case(
            filed_on=D(2026, 2, 1),
            decided_on=D(2026, 3, 1),
            closed_on=D(2026, 3, 20),
            fine_amount=Decimal("1000"),
            hearing_held=True,
            reconsideration="corrected",
            penalties=["fine"],
        ),
        "P3": case(
            filed_on=D(2026, 4, 1),
            decided_on=D(2026, 5, 1),
            fine_amount=Decimal("200"),
            litigation="lost",
            transferred_to_police_on=D(2026, 5, 20),
            police_organ="隰县公安局",
        ),
        "P4": case(filed_on=D(2025, 12, 1), closed_on=D(2026, 4, 2), fine_amount=Decimal("0")),
        "P5": case(filed_on=D(2025, 3, 1), decided_on=D(2025, 4, 1), closed_on=D(2025, 5, 1), penalties=["fine"]),
        "I1": case(category=category("inspection"), filed_on=D(2026, 4, 3), full_record_kept=True, fine_amount=0),
        "I2": case(category=category("inspection"), filed_on=D(2026, 4, 4), fine_amount=0),
    }
    OfficerFactory(department=dept, region=dept.region, name="未持证甲")
    TrainingSessionFactory(organiser=dept, held_on=D(2026, 3, 10), hours=Decimal("4"), people=[main, co])
    other = certified_officer(dept)
    TrainingSessionFactory(
        organiser=DepartmentFactory(region=dept.region),
        held_on=D(2026, 5, 10),
        hours=Decimal("3"),
        people=[main],
    )
    TrainingSessionFactory(organiser=dept, held_on=D(2026, 8, 10), hours=Decimal("2"), people=[other])
    return files
