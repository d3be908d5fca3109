"""The self-review transfer queue at /reviews/ (REV-5, REV-12): who sees what, the order, the
deadline chips, the county table, and a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.choices import LitigationState, ReconsiderationState
from tests.factories import CaseFileFactory, certified_officer
from xian_enforcement.notices import services as notices

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)
URL = "/reviews/"


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(datetime.datetime(2026, 6, 30, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def closed_file(department, *, closed_on, transferred_on=None, main_handler=None, **kwargs):
    extra = {"main_handler": main_handler} if main_handler else {}
    return CaseFileFactory(
        department=department,
        filed_on=datetime.date(2026, 1, 5),
        closed_on=closed_on,
        status="closed",
        transferred_for_review_on=transferred_on,
        **extra,
        **kwargs,
    )


def get(client, user, url=URL):
    client.force_login(user)
    return client.get(url)


def test_url_name_is_stable():
    assert reverse("reviews:index") == URL


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditadmin", "nobody"])
def test_admins_and_users_without_role_are_refused_with_the_reason(client, users, role):
    response = get(client, users[role])
    assert response.status_code == 403
    assert "REV-5" in response.content.decode()


@pytest.mark.parametrize("role", ["legal_officer", "legal_head", "unit_head", "party_member"])
def test_rev_5_department_roles_see_their_departments_three_lists(client, users, dept, other_dept, role):
    waiting = closed_file(dept, closed_on=datetime.date(2026, 6, 20), title="待移交甲案")
    transferred = closed_file(
        dept, closed_on=datetime.date(2026, 5, 1), transferred_on=datetime.date(2026, 5, 10), title="已移交乙案"
    )
    excluded = closed_file(
        dept, closed_on=datetime.date(2026, 4, 1), litigation=LitigationState.PENDING, title="诉讼中丙案"
    )
    foreign = closed_file(other_dept, closed_on=datetime.date(2026, 6, 1), title="外部门丁案")
    foreign_sent = closed_file(
        other_dept, closed_on=datetime.date(2026, 5, 1), transferred_on=datetime.date(2026, 5, 2), title="外部门戊案"
    )

    response = get(client, users[role])

    assert response.status_code == 200
    ctx = response.context
    assert list(ctx["transfer_page"].object_list) == [waiting]
    assert [r.pk for r in ctx["review_page"].object_list] == [transferred.pk]  # rows, not instances
    assert [r.pk for r in ctx["excluded_page"].object_list] == [excluded.pk]
    assert "county_rows" not in ctx
    html = response.content.decode()
    assert waiting.number in html and transferred.number in html and excluded.number in html
    assert foreign.number not in html and foreign_sent.number not in html
    assert "外部门" not in html
    # Days since transfer: 10 May → 30 June.
    assert "51 天" in html
    # REV-12 exclusion shown with its rule.
    assert "REV-12" in html and "诉讼中" in html


def test_rev_5_awaiting_transfer_is_overdue_first_with_deadline_chips(client, users, dept):
    recent = closed_file(dept, closed_on=datetime.date(2026, 6, 25))
    overdue = closed_file(dept, closed_on=datetime.date(2026, 5, 1))
    soon = closed_file(dept, closed_on=datetime.date(2026, 6, 3))

    response = get(client, users["legal_officer"])

    rows = list(response.context["transfer_page"].object_list)
    assert rows == [overdue, soon, recent]
    chips = [(c.deadline.days_left(), c.deadline.chip_colour) for c in rows]
    assert chips == [(-30, "danger"), (3, "warning"), (25, "success")]
    html = response.content.decode()
    assert "逾期 30 天" in html and "剩 3 天" in html and "剩 25 天" in html


def test_rev_5_chip_uses_the_deadline_row_where_it_exists(client, users, dept):
    case = closed_file(dept, closed_on=datetime.date(2026, 6, 20))
    notices.deadline_open(
        subject=case,
        kind="rev5_transfer",
        rule_id="REV-5",
        title="移交",
        start_date=datetime.date(2026, 6, 20),
        days=40,
        remind_days=[],
        department=dept,
    )
    response = get(client, users["legal_head"])
    (row,) = response.context["transfer_page"].object_list
    assert row.deadline.pk is not None
    assert row.deadline.due_date == datetime.date(2026, 7, 30)
    assert "剩 30 天" in response.content.decode()


def test_rev_12_files_under_reconsideration_are_not_awaiting_transfer(client, users, dept):
    closed_file(dept, closed_on=datetime.date(2026, 5, 1), reconsideration=ReconsiderationState.PENDING)
    response = get(client, users["legal_officer"])
    assert response.context["transfer_page"].paginator.count == 0
    assert response.context["excluded_page"].paginator.count == 1


def test_rev_5_handler_sees_own_closed_files_with_a_transfer_button(client, users, dept):
    me = users["handler"].officer
    mine = closed_file(dept, closed_on=datetime.date(2026, 6, 1), main_handler=me)
    as_co = CaseFileFactory(
        department=dept,
        filed_on=datetime.date(2026, 1, 5),
        closed_on=datetime.date(2026, 6, 2),
        co_handlers=[me],
    )
    colleague = closed_file(dept, closed_on=datetime.date(2026, 6, 1))
    already = closed_file(
        dept, closed_on=datetime.date(2026, 5, 1), transferred_on=datetime.date(2026, 5, 2), main_handler=me
    )

    response = get(client, users["handler"])

    assert response.status_code == 200
    assert list(response.context["mine_page"].object_list) == [mine, as_co]
    assert "transfer_page" not in response.context
    html = response.content.decode()
    assert reverse("cases:transfer", args=[mine.pk]) in html
    assert reverse("cases:transfer", args=[as_co.pk]) in html
    assert colleague.number not in html and already.number not in html


def test_rev_5_handler_transfer_button_posts_to_the_case_transfer(client, users, dept):
    me = users["handler"].officer
    mine = closed_file(dept, closed_on=datetime.date(2026, 6, 1), main_handler=me)
    client.force_login(users["handler"])
    response = client.post(reverse("cases:transfer", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.transferred_for_review_on == TODAY
    assert client.get(URL).context["mine_page"].paginator.count == 0


@pytest.mark.parametrize("role", ["bureau_staff", "leader", "review_group"])
def test_rev_5_county_roles_see_a_table_per_department_worst_first(client, users, dept, other_dept, bureau, role):
    # dept: one overdue, one waiting (not overdue), one transferred, one excluded (REV-12).
    closed_file(dept, closed_on=datetime.date(2026, 4, 1))
    closed_file(dept, closed_on=datetime.date(2026, 6, 20))
    closed_file(dept, closed_on=datetime.date(2026, 4, 1), transferred_on=datetime.date(2026, 4, 20))
    closed_file(dept, closed_on=datetime.date(2026, 4, 1), reconsideration=ReconsiderationState.UPHELD)
    # other_dept: two overdue.
    closed_file(other_dept, closed_on=datetime.date(2026, 3, 1))
    closed_file(other_dept, closed_on=datetime.date(2026, 3, 2))
    # an open file counts nowhere.
    CaseFileFactory(department=other_dept)

    response = get(client, users[role])

    assert response.status_code == 200
    rows = {d.pk: (d.closed, d.transferred, d.awaiting, d.overdue, d.excluded) for d in response.context["county_rows"]}
    assert rows[dept.pk] == (4, 1, 2, 1, 1)
    assert rows[other_dept.pk] == (2, 0, 2, 2, 0)
    assert rows[bureau.pk] == (0, 0, 0, 0, 0)
    assert [d.pk for d in response.context["county_rows"]][:2] == [other_dept.pk, dept.pk]
    assert "transfer_page" not in response.context


def test_county_table_is_limited_to_the_users_county(client, users, dept):
    from tests.factories import DepartmentFactory, RegionFactory

    elsewhere = DepartmentFactory(region=RegionFactory(code="141032", name="别县"), short_name="别县某局")
    closed_file(elsewhere, closed_on=datetime.date(2026, 3, 1))
    response = get(client, users["bureau_staff"])
    assert elsewhere.pk not in {d.pk for d in response.context["county_rows"]}
    assert "别县某局" not in response.content.decode()


def test_lists_are_paginated_by_50(client, users, dept):
    officer = certified_officer(dept)
    co = certified_officer(dept)
    for i in range(51):
        CaseFileFactory(
            department=dept,
            main_handler=officer,
            co_handlers=[co],
            filed_on=datetime.date(2026, 1, 5),
            closed_on=datetime.date(2026, 6, 1) - datetime.timedelta(days=i % 20),
        )
    response = get(client, users["legal_officer"])
    page = response.context["transfer_page"]
    assert len(page.object_list) == 50 and page.paginator.num_pages == 2
    assert "p_transfer=2" in response.content.decode()
    second = client.get(URL, {"p_transfer": 2}).context["transfer_page"]
    assert len(second.object_list) == 1


def test_counts_beyond_the_cap_say_more_than_and_every_page_stays_reachable(client, users, dept, monkeypatch):
    """performance.md targets 1 and 6: the queue counts at most QUEUE_COUNT_MAX + 1 rows of a
    list; beyond the cap the heading says "N 件以上" and paging goes on by reading one more row
    than a page, to the very last file."""
    from reviews import views

    monkeypatch.setattr(views, "QUEUE_COUNT_MAX", 60)
    officer = certified_officer(dept)
    files = [
        CaseFileFactory(
            department=dept,
            main_handler=officer,
            co_handlers=[],
            filed_on=datetime.date(2026, 1, 5),
            closed_on=datetime.date(2026, 1, 6) + datetime.timedelta(days=i),
        )
        for i in range(121)
    ]
    response = get(client, users["legal_officer"])
    html = response.content.decode()
    first = response.context["transfer_page"]
    assert first.count_capped and len(first.object_list) == 50 and first.next_url and not first.prev_url
    assert "60 件以上" in html and "第 1 页（60 件以上）" in html
    seen = [c.pk for c in first.object_list]
    second = client.get(URL, {"p_transfer": 2}).context["transfer_page"]
    third = client.get(URL, {"p_transfer": 3}).context["transfer_page"]
    assert second.prev_url and second.next_url and len(second.object_list) == 50
    assert not third.next_url and len(third.object_list) == 21
    seen += [c.pk for c in second.object_list] + [c.pk for c in third.object_list]
    assert seen == [f.pk for f in files]  # oldest closing date first, none skipped or repeated
    past_the_end = client.get(URL, {"p_transfer": 99}).context["transfer_page"]
    assert past_the_end.number == 1 and [c.pk for c in past_the_end.object_list] == seen[:50]
    assert client.get(URL, {"p_transfer": "x"}).context["transfer_page"].number == 1
    # under the cap the count is exact, with the number of pages
    monkeypatch.setattr(views, "QUEUE_COUNT_MAX", 1000)
    exact = get(client, users["legal_officer"]).context["transfer_page"]
    assert not exact.count_capped and exact.paginator.count == 121 and exact.paginator.num_pages == 3


def _make_files(department, n: int, officer, co):
    for i in range(n):
        CaseFileFactory(
            department=department,
            main_handler=officer,
            co_handlers=[co],
            filed_on=datetime.date(2026, 1, 5),
            closed_on=datetime.date(2026, 6, 1) - datetime.timedelta(days=i),
            transferred_for_review_on=datetime.date(2026, 6, 10) if i % 3 == 0 else None,
            litigation=LitigationState.PENDING if i % 5 == 0 else LitigationState.NONE,
        )


@pytest.mark.parametrize("role", ["legal_officer", "handler", "bureau_staff"])
def test_query_count_does_not_grow_with_the_data(client, users, dept, other_dept, role):
    """performance.md target 6: the same number of queries at two data sizes."""
    me = users["handler"].officer
    co = certified_officer(dept)
    other_officer, other_co = certified_officer(other_dept), certified_officer(other_dept)
    # Sizes chosen so that every list is non-empty at both sizes (an empty page runs no row query).
    _make_files(dept, 6, me, co)
    _make_files(other_dept, 6, other_officer, other_co)
    client.force_login(users[role])
    client.get(URL)  # warm caches that are per process, not per request
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200

    _make_files(dept, 30, me, co)
    _make_files(other_dept, 20, other_officer, other_co)
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
