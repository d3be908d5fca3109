"""PostgreSQL pass (performance.md target 2 and 4):

- with tens of thousands of case files loaded and ANALYZEd (a size at which the planner reads
  the whole table when no index fits), the queries of the county dashboard, the case list (first,
  deep and last page, department and county scope) and its count estimate show no
  ``Seq Scan on cases_casefile`` in their plans;
- concurrent writers of case files in the same month keep the summary equal to a fresh
  aggregate (the ``n = n + delta`` upsert loses no update).
"""

from __future__ import annotations

import datetime
import random
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from cases.filters import SORTS
from cases.models import CaseCategory, CaseFile
from cases.selectors import keyset_page, list_rows
from stats import selectors
from stats.case_summaries import fresh_aggregate, summary_rebuild, summary_rows
from tests.factories import CaseFileFactory, DepartmentFactory, RegionFactory, certified_officer

pytestmark = pytest.mark.services
D = datetime.date
N_FILES = 40_000


def _require_postgres():
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (DATABASE_URL); run it in the PostgreSQL pass", pytrace=False)


@pytest.fixture
def loaded(region):
    """The county (3 departments) among a province of 43 departments (a county holds a small
    share of a province's files: 1/117 in Shanxi), 40,000 case files over ten years, ANALYZEd."""
    _require_postgres()
    other = RegionFactory(code="141099", name="别县")
    mine = [DepartmentFactory(region=region) for _ in range(3)]
    theirs = [DepartmentFactory(region=other) for _ in range(40)]
    handlers = {d.pk: certified_officer(d) for d in mine + theirs}
    categories = list(CaseCategory.objects.all())
    rng = random.Random(5)
    rows = []
    for i in range(N_FILES):
        d = rng.choice(mine + theirs)
        filed = D(2016, 1, 1) + datetime.timedelta(days=rng.randrange(3800))
        closed = filed + datetime.timedelta(days=rng.randrange(1, 120)) if rng.random() < 0.8 else None
        rows.append(
            CaseFile(
                department=d,
                year=filed.year,
                number=f"测{i}",
                category=rng.choice(categories),
                title="案",
                party_name="某",
                main_handler=handlers[d.pk],
                filed_on=filed,
                closed_on=closed,
                transferred_for_review_on=closed + datetime.timedelta(days=rng.randrange(40))
                if closed and rng.random() < 0.9
                else None,
                fine_amount=Decimal(rng.randrange(0, 5000)),
            )
        )
    CaseFile.objects.bulk_create(rows, batch_size=5000)
    summary_rebuild()
    with connection.cursor() as cursor:  # what autovacuum does in production (visibility map, statistics)
        for table in ("cases_casefile", "statistics_casemonthsummary", "org_department"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return mine


def _explain_all(run) -> list[tuple[str, str]]:
    """Run ``run()`` capturing its SELECTs on the case table, and EXPLAIN each."""
    with CaptureQueriesContext(connection) as ctx:
        run()
    plans = []
    with connection.cursor() as cursor:
        for q in ctx.captured_queries:
            sql = q["sql"]
            if "cases_casefile" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN " + sql)
            plans.append((sql, "\n".join(r[0] for r in cursor.fetchall())))
    return plans


def _assert_no_seq_scan(plans):
    assert plans, "no query on the case table was captured"
    for sql, plan in plans:
        assert "Seq Scan on cases_casefile" not in plan, f"{sql}\n{plan}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_planner_would_seq_scan_without_an_index(loaded):
    """The control: at this size an unindexed predicate is a full scan, so the tests below
    could fail."""
    plan = CaseFile.objects.filter(title__contains="案", party_name="某").order_by().explain()
    assert "Seq Scan on cases_casefile" in plan


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_county_dashboard_queries_use_no_seq_scan_of_the_case_table(loaded, region):
    dscope = selectors.DashboardScope(region_id=region.pk, department_id=None, label="")
    today = D(2025, 7, 2)

    def run():
        selectors.available_years(dscope, today)
        selectors.case_figures(dscope, 2025, today)
        selectors.department_table(dscope, 2025, today)
        selectors.category_figures(dscope, 2025)
        selectors.transfer_by_department(dscope, 2025, today)

    _assert_no_seq_scan(_explain_all(run))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_department_dashboard_queries_use_no_seq_scan(loaded):
    dscope = selectors.DashboardScope(region_id=loaded[0].region_id, department_id=loaded[0].pk, label="")
    today = D(2025, 7, 2)
    _assert_no_seq_scan(_explain_all(lambda: selectors.case_figures(dscope, 2025, today)))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("scope", ["department", "county"])
def test_case_list_pages_use_no_seq_scan(loaded, region, scope):
    """First page, pages after cursors, the last page and the one before it (target 3), for
    every sort within a department (the default sort county-wide). Within a department each sort
    reads its (department, column, id) index in order, forwards or backwards: no Sort node."""
    qs = (
        CaseFile.objects.filter(department_id=loaded[0].pk)
        if scope == "department"
        else CaseFile.objects.filter(department__region_id=region.pk)
    ).select_related("department", "category", "main_handler")
    rows = list_rows(qs)  # as the page reads them: dicts with the names joined, the total counted on qs
    for sort in sorted(SORTS) if scope == "department" else ["-filed"]:
        ordering = SORTS[sort]

        def run(ordering=ordering):
            first = keyset_page(rows, ordering, size=50, count_of=qs)
            deep = keyset_page(rows, ordering, after=first.next_cursor, size=50, count_of=qs)
            keyset_page(rows, ordering, after=deep.next_cursor, size=50, count_of=qs)
            last = keyset_page(rows, ordering, last=True, size=50, count_of=qs)
            keyset_page(rows, ordering, before=last.previous_cursor, size=50, count_of=qs)

        plans = _explain_all(run)
        _assert_no_seq_scan(plans)
        if scope == "department":
            for sql, plan in plans:
                if "LIMIT" in sql:
                    assert "Sort" not in plan, f"{sort}: {sql}\n{plan}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_in_one_month_keep_the_summary_exact(dept):
    """Eight threads create and edit files of the same department, category and month at once:
    the upsert increments in the database, so no update is lost."""
    _require_postgres()
    handler = certified_officer(dept)
    barrier = threading.Barrier(8)
    errors: list[Exception] = []

    def write(i):
        try:
            barrier.wait(timeout=10)
            case = CaseFileFactory(department=dept, main_handler=handler, co_handlers=[], filed_on=D(2026, 3, 1 + i))
            case.closed_on = D(2026, 3, 20)
            case.save()
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    rows = summary_rows()
    assert rows == fresh_aggregate()
    assert sum(r["filed"] for r in rows.values()) == 8
