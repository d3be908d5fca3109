"""performance.md target 3: keyset pagination of the case list. Walking forward from the first
page by ``next`` cursors, and backward from the last page by ``previous`` cursors, visits every
file exactly once in the list's order, for every sort (ties and a nullable column included: a
file not yet closed sorts as the latest closing date)."""

from __future__ import annotations

import datetime
import random
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.filters import SORTS
from cases.models import CaseFile
from cases.selectors import decode_cursor, encode_cursor, keyset_page
from tests.factories import CaseFileFactory, certified_officer

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def files(dept):
    rng = random.Random(7)
    handler = certified_officer(dept)
    made = []
    for i in range(37):
        filed = D(2026, 1, 1) + datetime.timedelta(days=rng.randrange(6))  # many ties
        made.append(
            CaseFileFactory(
                department=dept,
                main_handler=handler,
                co_handlers=[],
                filed_on=filed,
                closed_on=filed + datetime.timedelta(days=rng.randrange(3)) if i % 3 else None,
                fine_amount=Decimal(rng.choice([0, 100, 250])),
            )
        )
    return made


def _expected(ordering):
    lead, _tie = ordering
    name, desc = lead.lstrip("-"), lead.startswith("-")
    rows = list(CaseFile.objects.values("id", name))
    present = sorted((r for r in rows if r[name] is not None), key=lambda r: (r[name], r["id"]))
    nulls = sorted((r for r in rows if r[name] is None), key=lambda r: r["id"])
    ascending = [r["id"] for r in present + nulls]  # NULL sorts as the greatest value
    return ascending[::-1] if desc else ascending


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_forward_and_backward_walks_visit_every_file_once_in_order(files, sort):
    ordering = SORTS[sort]
    expected = _expected(ordering)
    qs = CaseFile.objects.all()
    seen, page = [], keyset_page(qs, ordering, size=5)
    assert page.is_first and page.total == len(files) and not page.total_is_estimate
    while True:
        seen += [c.pk for c in page.object_list]
        if page.is_last:
            break
        page = keyset_page(qs, ordering, after=page.next_cursor, size=5)
    assert seen == expected
    back, page = [], keyset_page(qs, ordering, last=True, size=5)
    assert page.is_last and len(page.object_list) == 5
    while True:
        back = [c.pk for c in page.object_list] + back
        if page.is_first:
            break
        page = keyset_page(qs, ordering, before=page.previous_cursor, size=5)
    assert back == expected


def test_cursor_round_trip_and_garbage_starts_at_first_page(files):
    fields = [CaseFile._meta.get_field("filed_on"), CaseFile._meta.get_field("id")]
    assert decode_cursor(encode_cursor([D(2026, 1, 2), 5]), fields) == [D(2026, 1, 2), 5]
    page = keyset_page(CaseFile.objects.all(), SORTS["-filed"], after="not-a-cursor!!", size=5)
    assert page.is_first


def test_list_page_links_first_previous_next_last(client, users, dept, files, monkeypatch):
    monkeypatch.setattr("cases.views.PAGE_SIZE", 10)
    client.force_login(users["legal_officer"])
    html = client.get(reverse("cases:list")).content.decode()
    assert "共 37 件" in html
    assert 'rel="next"' in html and 'rel="prev"' not in html
    next_url = re.search(r'rel="next" href="\?([^"]+)"', html).group(1).replace("&amp;", "&")
    html2 = client.get(reverse("cases:list") + "?" + next_url).content.decode()
    assert 'rel="prev"' in html2
    last = client.get(reverse("cases:list") + "?last=1").content.decode()
    assert 'rel="next"' not in last and 'rel="prev"' in last
    oldest = CaseFile.objects.order_by("filed_on", "id").first()
    assert oldest.number in last


@pytest.mark.django_db
def test_total_is_exact_up_to_the_cap_then_says_more_than(client, users, dept, settings, monkeypatch):
    """performance.md targets 2 and 6: one capped count, the same query whatever the size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases import selectors

    for _ in range(4):
        CaseFileFactory(department=dept)
    monkeypatch.setattr(selectors, "EXACT_COUNT_MAX", 3)
    qs = selectors.case_files_visible_to(users["legal_officer"])
    with CaptureQueriesContext(connection) as queries:
        assert selectors.capped_count(qs) == (3, True)
    assert len(queries.captured_queries) == 1
    client.force_login(users["legal_officer"])
    assert "3 件以上" in client.get(reverse("cases:list")).content.decode()
    monkeypatch.setattr(selectors, "EXACT_COUNT_MAX", 10)
    assert selectors.capped_count(qs) == (4, False)
    assert "共 4 件" in client.get(reverse("cases:list")).content.decode()
