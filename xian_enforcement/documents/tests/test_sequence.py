"""Official document numbers: per unit, per year and per kind,
consecutive from 1, never a database id; concurrent issues get distinct numbers."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from tests.factories import DepartmentFactory
from xian_enforcement.documents.models import DocumentSequence
from xian_enforcement.documents.services import document_number_allocate

KIND, WORD = "tolerance_decision", "容认"


def _next(department, year, kind=KIND, word=WORD):
    return document_number_allocate(department=department, year=year, kind=kind, word=word)


@pytest.mark.django_db
def test_numbers_are_consecutive_per_unit_and_year_from_one(dept):
    numbers = [_next(dept, 2026) for _ in range(3)]
    assert [n.serial for n in numbers] == [1, 2, 3]
    assert [n.text for n in numbers] == [f"市场监管局容认〔2026〕{i}号" for i in (1, 2, 3)]


@pytest.mark.django_db
def test_numbers_restart_at_one_each_year(dept):
    _next(dept, 2026)
    _next(dept, 2026)
    assert _next(dept, 2027).text == "市场监管局容认〔2027〕1号"
    assert _next(dept, 2026).serial == 3


@pytest.mark.django_db
def test_units_and_kinds_are_independent(dept, other_dept):
    _next(dept, 2026)
    _next(dept, 2026)
    assert _next(other_dept, 2026).text == "龙泉镇容认〔2026〕1号"
    assert _next(dept, 2026, kind="review_notice", word="评查").text == "市场监管局评查〔2026〕1号"
    assert _next(dept, 2026).serial == 3


@pytest.mark.django_db
def test_a_rolled_back_issue_gives_its_number_back(dept):
    _next(dept, 2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert _next(dept, 2026).serial == 2
        raise RuntimeError("the document was not stored")
    assert _next(dept, 2026).serial == 2


@pytest.mark.django_db
def test_unit_without_short_name_uses_its_name(region):
    unit = DepartmentFactory(region=region, name="隰县交通运输局", short_name="")
    assert _next(unit, 2026).text == "隰县交通运输局容认〔2026〕1号"


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_allocation_gives_distinct_consecutive_numbers(region):
    """Eight threads (eight PostgreSQL connections) issue numbers at once, twice over: the first
    round also races to create the unit's counter row."""
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (DATABASE_URL); run it in the PostgreSQL pass", pytrace=False)
    units = [DepartmentFactory(region=region, short_name=f"单位{i}") for i in range(2)]
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def issue(unit):
        try:
            barrier.wait(timeout=10)
            for _ in range(2):
                number = _next(unit, 2026)
                with lock:
                    results.append((unit.pk, number.serial))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(units[i % 2],)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    for unit in units:
        serials = sorted(s for pk, s in results if pk == unit.pk)
        assert serials == list(range(1, threads_n + 1))  # 4 threads × 2 each, distinct, no gap
        assert DocumentSequence.objects.get(department=unit, year=2026, kind=KIND).last_number == threads_n
