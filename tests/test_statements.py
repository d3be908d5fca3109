"""The statement memo (xian_enforcement.statements, performance.md target 2): a statement is
compiled once per key and run as remembered; it remembers statements, never results; it gives
the rows iterating the queryset gives (with the backend's converters: SQLite returns dates and
decimals as text); the case list uses it for its page and its count."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import selectors
from cases.models import CaseFile
from tests.factories import CaseFileFactory, certified_officer
from xian_enforcement import statements

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_memo():
    statements.clear()
    yield
    statements.clear()


class Builds:
    """A build callable that counts how often it was called."""

    def __init__(self, make):
        self.make, self.calls = make, 0

    def __call__(self):
        self.calls += 1
        return self.make()


def _values(dept):
    return (
        CaseFile.objects.filter(department=dept)
        .order_by("-filed_on", "-id")
        .values("id", "number", "filed_on", "closed_on", "fine_amount", "department__short_name")
    )


def test_rows_equal_the_querysets_rows_and_compile_once(dept):
    for i in range(3):
        CaseFileFactory(
            department=dept, fine_amount=Decimal("12.50") * (i + 1), closed_on=datetime.date(2026, 4, 1 + i)
        )
    build = Builds(lambda: _values(dept))
    first = statements.rows(("t", dept.pk), build)
    assert first == list(_values(dept))
    assert isinstance(first[0]["filed_on"], datetime.date) and isinstance(first[0]["fine_amount"], Decimal)
    with CaptureQueriesContext(connection) as ctx:
        again = statements.rows(("t", dept.pk), build)
    assert again == first and build.calls == 1 and len(ctx.captured_queries) == 1


def test_it_remembers_statements_not_results(dept):
    build = Builds(lambda: _values(dept))
    assert statements.rows(("t", dept.pk), build) == []
    assert statements.count(("t", dept.pk), build) == 0
    case = CaseFileFactory(department=dept)
    assert [r["id"] for r in statements.rows(("t", dept.pk), build)] == [case.pk]
    assert statements.count(("t", dept.pk), build) == 1
    case.delete()
    assert statements.rows(("t", dept.pk), build) == [] and statements.count(("t", dept.pk), build) == 0


def test_count_runs_one_statement_and_compiles_once(dept):
    for _ in range(4):
        CaseFileFactory(department=dept)
    build = Builds(lambda: CaseFile.objects.filter(department=dept).values("pk")[:3])
    with CaptureQueriesContext(connection) as ctx:
        assert statements.count("sliced", build) == 3  # a count of a slice, as capped_count runs it
    assert len(ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:
        assert statements.count("sliced", build) == 3
    assert len(ctx.captured_queries) == 1 and build.calls == 1


def test_an_empty_queryset_runs_no_statement():
    build = Builds(lambda: CaseFile.objects.none().values("id"))
    with CaptureQueriesContext(connection) as ctx:
        assert statements.rows("none", build) == [] and statements.rows("none", build) == []
        assert statements.count("none", build) == 0 and statements.count("none", build) == 0
    assert len(ctx.captured_queries) == 0 and build.calls == 2  # once for rows, once for the count


def test_only_values_querysets(dept):
    with pytest.raises(TypeError):
        statements.rows("instances", lambda: CaseFile.objects.all())


def test_a_setting_change_empties_the_memo(dept):
    statements.rows("k", lambda: _values(dept))
    assert statements.size() == 1
    with override_settings(EXACT_COUNT_MAX=5):
        assert statements.size() == 0


def test_the_memo_is_bounded(dept, monkeypatch):
    monkeypatch.setattr(statements, "MAX_STATEMENTS", 3)
    for i in range(5):
        statements.rows(("k", i), lambda: _values(dept))
    assert statements.size() == 3


def test_case_list_pages_through_remembered_statements_and_sees_new_files(client, users, dept):
    """The list page's two statements are compiled once per key: a second request builds
    nothing (the filter set's queryset is not built) and runs the same number of queries; a
    file saved in between is listed (the memo holds statements, not rows)."""
    for _ in range(3):
        CaseFileFactory(department=dept)
    user = users["legal_officer"]
    client.force_login(user)
    url = reverse("cases:list")
    with CaptureQueriesContext(connection) as first:
        html = client.get(url).content.decode()
    held = statements.size()
    assert sum("cases.list" in repr(key) for key in list(statements._memo)) == 2  # the page's rows and its count
    new = CaseFileFactory(department=dept, title="新立案卷甲")
    with CaptureQueriesContext(connection) as second:
        html = client.get(url).content.decode()
    assert statements.size() == held and len(second.captured_queries) == len(first.captured_queries)
    assert "新立案卷甲" in html and reverse("cases:detail", args=[new.pk]) in html


def test_case_list_memo_key_names_scope_filters_sort_and_day(users, dept, other_dept):
    officer, leader = users["legal_officer"], users["leader"]
    plain = selectors.case_list_memo_key(officer, {}, "-filed")
    assert plain == selectors.case_list_memo_key(officer, {"q": ""}, "-filed")  # an empty filter is no filter
    assert plain != selectors.case_list_memo_key(leader, {}, "-filed")
    assert plain != selectors.case_list_memo_key(officer, {"q": "罚"}, "-filed")
    assert plain != selectors.case_list_memo_key(officer, {"department": dept}, "-filed")
    assert plain != selectors.case_list_memo_key(officer, {}, "filed")
    with override_settings(TIME_ZONE="Asia/Shanghai"):
        import time_machine

        with time_machine.travel(datetime.datetime(2030, 1, 2, 12, tzinfo=datetime.UTC)):
            assert plain != selectors.case_list_memo_key(officer, {}, "-filed")  # REV-5 overdue compares with today


def test_case_list_page_with_filters_and_cursors_matches_the_uncached_list(users, dept):
    """Every page of a filtered list read through the memo equals the same list without it."""
    main = certified_officer(dept)
    for i in range(7):
        CaseFileFactory(department=dept, main_handler=main, title=f"查处{i}", filed_on=datetime.date(2026, 1, 1 + i))
    CaseFileFactory(department=dept, title="其他")
    user = users["legal_officer"]
    params = QueryDict("q=查处&sort=filed")

    def walk(memo: bool) -> list[int]:
        seen, after = [], ""
        while True:
            if memo:
                _f, page, _s = selectors.case_list_page(user, params, size=3, after=after)
            else:
                _f, qs, _s = selectors.case_list_filtered(user, params)
                page = selectors.keyset_page(selectors.list_rows(qs), ("filed_on", "id"), after=after, size=3)
            seen += [r["id"] for r in page.object_list]
            assert page.total == 7
            if not page.next_cursor:
                return seen
            after = page.next_cursor

    uncached = walk(False)
    assert walk(True) == uncached == walk(True)
    assert len(uncached) == 7


def test_invalid_filters_are_not_remembered(users):
    user = users["legal_officer"]
    filterset, _page, _sort = selectors.case_list_page(user, QueryDict("department=999999"))
    assert not filterset.form.is_valid()
    assert statements.size() == 0


def test_review_queue_reads_remembered_statements_and_sees_new_files(client, users, dept):
    """The queue's totals (one statement) and its two row lists are compiled once per scope: the
    second request runs as many queries, and a file transferred in between is counted and listed."""
    from reviews.tests.factories import reviewable_file

    reviewable_file(dept, title="待自查甲")
    client.force_login(users["legal_officer"])
    url = reverse("reviews:index")
    with CaptureQueriesContext(connection) as first:
        html = client.get(url).content.decode()
    assert "待自查甲" in html
    assert sum("reviews.queue" in repr(key) for key in list(statements._memo)) == 3  # totals, two lists
    reviewable_file(dept, title="待自查乙")
    with CaptureQueriesContext(connection) as second:
        response = client.get(url)
    html = response.content.decode()
    assert len(second.captured_queries) == len(first.captured_queries)
    assert "待自查甲" in html and "待自查乙" in html
    assert response.context["review_page"].paginator.count == 2


def test_header_unit_label_and_unread_count_follow_the_data(client, users, dept):
    from xian_enforcement.notices.models import Notification

    user = users["legal_officer"]
    client.force_login(user)
    url = reverse("cases:list")
    response = client.get(url)
    assert response.context["xian_unit_label"] == f"{dept.region.name} · {dept.short_name}"
    before = response.context["unread_count"]
    dept.short_name = "市监局"
    dept.save()
    Notification.objects.create(recipient=user, kind="reminder", title="新通知", body="正文", dedupe_key="t-unread")
    response = client.get(url)
    assert response.context["xian_unit_label"] == f"{dept.region.name} · 市监局"
    assert response.context["unread_count"] == before + 1


def test_only_first_and_last_pages_are_remembered_and_the_filter_set_fails_closed(users, dept):
    """Cursor pages are compiled as asked (the memo stays bounded by questions, not by paging);
    the filter set handed to the template selects nothing by itself."""
    for i in range(7):
        CaseFileFactory(department=dept, filed_on=datetime.date(2026, 1, 1 + i))
    user = users["legal_officer"]
    filterset, page, _sort = selectors.case_list_page(user, QueryDict(""), size=3)
    held = statements.size()
    after = page.next_cursor
    while after:
        _f, page, _s = selectors.case_list_page(user, QueryDict(""), size=3, after=after)
        after = page.next_cursor
    selectors.case_list_page(user, QueryDict(""), size=3, last=True)
    assert statements.size() == held + 1  # the last page only
    unbound = selectors.case_list_page(user, QueryDict(""), size=3)[0]
    assert unbound.qs.count() == 0 and filterset.qs.count() == 7  # built only where a statement was compiled
