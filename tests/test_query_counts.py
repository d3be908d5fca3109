"""performance.md target 6 (style.md rule 16): every list, dashboard and queue page runs the same
number of queries at two data sizes. Each page is requested after a small data set and again
after the data have grown (case files with co-handlers and self-reviews, officers with
certificates, power items, exemption applications); the two counts must be equal."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.tests.factories import reviewable_file, submitted_review
from tests.factories import (
    DepartmentFactory,
    OfficerFactory,
    PowerItemFactory,
    RegionFactory,
    UserFactory,
    certified_officer,
)
from tolerance.tests.factories import draft
from xian_enforcement.org.choices import Role

pytestmark = pytest.mark.django_db
_seq = itertools.count()

# (url name, user key or None for anonymous, query string)
PAGES = [
    ("cases:list", "legal_officer", ""),
    ("cases:list", "leader", ""),
    ("cases:power_list", "legal_officer", ""),
    ("org:officer_list", "bureau_staff", ""),
    ("reviews:index", "legal_officer", ""),
    ("reviews:coverage", "bureau_staff", ""),
    ("reviews:campaigns", "bureau_staff", ""),
    ("reviews:summaries", "bureau_staff", ""),
    ("reviews:assessment", "legal_head", ""),
    ("tolerance:index", "handler", ""),
    ("tolerance:index", "legal_officer", ""),
    ("tolerance:publications", "bureau_staff", ""),
    ("tolerance:complaints", "bureau_staff", ""),
    ("tolerance:risk", "bureau_staff", ""),
    ("statistics:dashboard", "leader", "?year=2026"),
    ("statistics:dashboard", "legal_officer", "?year=2026"),
    ("statistics:reports", "bureau_staff", ""),
    ("statistics:training", "bureau_staff", ""),
    ("public:certificates", None, ""),
    ("home", "legal_officer", ""),  # this year's figures panel reads the dashboard's selectors
    ("home", "leader", ""),
    ("home", "handler", ""),
]


def grow(users, dept, other_dept, n: int) -> None:
    """``n`` more of everything the pages list."""
    for _ in range(n):
        i = next(_seq)
        co = certified_officer(dept)
        case = reviewable_file(
            dept,
            main_handler=users["handler"].officer,
            co_handlers=[co],
            filed_on=datetime.date(2026, 1 + i % 5, 3),
        )
        if i % 2 == 0:
            submitted_review(case, users["legal_officer"])
        reviewable_file(
            other_dept, main_handler=certified_officer(other_dept), co_handlers=[certified_officer(other_dept)]
        )
        PowerItemFactory(department=dept)
        draft(users["handler"], act=f"先行查封第{i}号")


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.fixture
def sized(client, users, dept, other_dept, settings):
    settings.STATS_DASHBOARD_CACHE_SECONDS = 0  # measure the queries, not the cache

    def measure(name: str, who: str | None, query: str, user=None) -> tuple[int, int]:
        url = reverse(name) + query
        if user is not None or who is not None:
            client.force_login(user or users[who])
        grow(users, dept, other_dept, 2)
        client.get(url)  # the first request after login refreshes the session
        small = _count(client, url)
        grow(users, dept, other_dept, 6)
        large = _count(client, url)
        return small, large

    return measure


@pytest.mark.parametrize(("name", "who", "query"), PAGES, ids=[f"{p[0]}-{p[1]}" for p in PAGES])
def test_query_count_is_the_same_at_two_sizes(sized, name, who, query):
    small, large = sized(name, who, query)
    assert small == large, (name, who, small, large)


def test_province_dashboard_query_count_is_the_same_at_two_sizes(sized, dept):
    """The province dashboard (statistics from the maintained summary), target 6."""
    province = RegionFactory(code="140000", name="山西省")
    dept.region.parent = province
    dept.region.save()
    DepartmentFactory(region=RegionFactory(code="141032", name="永和县", parent=province))
    user = UserFactory(roles=[Role.LEADER.value], username="u_province_leader")
    OfficerFactory(user=user, department=None, region=province, name="省领导", is_enforcement_officer=False)
    small, large = sized("statistics:dashboard", None, "?year=2026", user=user)
    assert small == large
