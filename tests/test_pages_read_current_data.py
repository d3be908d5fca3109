"""Pages read the data as it is now: a file saved, a name changed or a notification sent between
two requests shows on the second, with the same number of queries (nothing is remembered
between requests but the dashboard cache)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import selectors
from tests.factories import CaseFileFactory, certified_officer

pytestmark = pytest.mark.django_db


def test_case_list_lists_a_file_saved_between_requests_with_the_same_queries(client, users, dept):
    """A second request runs as many queries as the first, and a file saved in between is listed."""
    for _ in range(3):
        CaseFileFactory(department=dept)
    user = users["legal_officer"]
    client.force_login(user)
    url = reverse("cases:list")
    with CaptureQueriesContext(connection) as first:
        html = client.get(url).content.decode()
    new = CaseFileFactory(department=dept, title="新立案卷甲")
    with CaptureQueriesContext(connection) as second:
        html = client.get(url).content.decode()
    assert len(second.captured_queries) == len(first.captured_queries)
    assert "新立案卷甲" in html and reverse("cases:detail", args=[new.pk]) in html


def test_case_list_page_with_filters_and_cursors_matches_the_filtered_list(users, dept):
    """Every page of a filtered list page equals the export's filtered queryset paged by keyset."""
    main = certified_officer(dept)
    for i in range(7):
        CaseFileFactory(department=dept, main_handler=main, title=f"查处{i}", filed_on=datetime.date(2026, 1, 1 + i))
    CaseFileFactory(department=dept, title="其他")
    user = users["legal_officer"]
    params = QueryDict("q=查处&sort=filed")

    def walk(page_path: bool) -> list[int]:
        seen, after = [], ""
        while True:
            if page_path:
                _f, page, _s = selectors.case_list_page(user, params, size=3, after=after)
            else:
                _f, qs, _s = selectors.case_list_filtered(user, params)
                page = selectors.keyset_page(selectors.list_rows(qs), ("filed_on", "id"), after=after, size=3)
            seen += [r["id"] for r in page.object_list]
            assert page.total == 7
            if not page.next_cursor:
                return seen
            after = page.next_cursor

    filtered = walk(False)
    assert walk(True) == filtered
    assert len(filtered) == 7


def test_review_queue_counts_and_lists_a_file_transferred_between_requests(client, users, dept):
    """The second request runs as many queries as the first, and a file made reviewable in between
    is counted and listed."""
    from reviews.tests.factories import reviewable_file

    reviewable_file(dept, title="待自查甲")
    client.force_login(users["legal_officer"])
    url = reverse("reviews:index")
    with CaptureQueriesContext(connection) as first:
        html = client.get(url).content.decode()
    assert "待自查甲" in html
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
