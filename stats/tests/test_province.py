"""performance.md targets 4–6: the province dashboard aggregates the maintained summary only
(county × category × month), shows the same figures as the case files, and runs the same number
of queries whatever the number of case files."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CaseFileFactory, DepartmentFactory, OfficerFactory, RegionFactory, UserFactory, category
from xian_enforcement.org.choices import Role

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def province():
    shanxi = RegionFactory(code="140000", name="山西省")
    a = RegionFactory(code="141031", name="隰县", parent=shanxi)
    b = RegionFactory(code="141032", name="永和县", parent=shanxi)
    return shanxi, DepartmentFactory(region=a, name="隰县市场监管局"), DepartmentFactory(region=b, name="永和县交通局")


@pytest.fixture
def province_leader(province):
    user = UserFactory(roles=[Role.LEADER.value], username="u_province")
    OfficerFactory(user=user, department=None, region=province[0], name="省领导", is_enforcement_officer=False)
    return user


@pytest.fixture
def now():
    with time_machine.travel(datetime.datetime(2026, 7, 2, 2, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _files(dept, n, **extra):
    for i in range(n):
        CaseFileFactory(
            department=dept,
            filed_on=D(2026, 1 + i % 6, 3),
            decided_on=D(2026, 1 + i % 6, 20),
            fine_amount=Decimal("100.25"),
            co_handlers=[],
            **extra,
        )


def test_province_dashboard_counts_counties_from_summary(client, province, province_leader, now, settings):
    settings.STATS_DASHBOARD_CACHE_SECONDS = 0
    _shanxi, xi, yonghe = province
    _files(xi, 3)
    _files(yonghe, 2, category=category("inspection"), hearing_held=True)
    client.force_login(province_leader)
    response = client.get(reverse("statistics:dashboard"), {"year": 2026})
    assert response.status_code == 200
    assert response.templates[0].name == "statistics/province.html"
    rows = {r["region"].name: r for r in response.context["rows"]}
    assert rows["隰县"]["filed"] == 3 and rows["永和县"]["filed"] == 2
    assert rows["永和县"]["hearings"] == 2
    assert response.context["totals"]["amount"] == Decimal("501.25")
    assert response.context["months"][0][1] == 1 + 1  # January: one file in each county
    cats = {c.name: t["filed"] for c, t in response.context["categories"]}
    assert cats["行政处罚"] == 3 and cats["行政检查"] == 2


def test_province_dashboard_query_count_same_at_two_sizes(client, province, province_leader, now, settings):
    """Target 6: the same number of queries with 2 and with 30 case files per county."""
    settings.STATS_DASHBOARD_CACHE_SECONDS = 0
    _shanxi, xi, yonghe = province
    client.force_login(province_leader)
    counts = []
    for n in (2, 28):
        _files(xi, n)
        _files(yonghe, n)
        client.get(reverse("statistics:dashboard"))  # warm the session and the cache of versions
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("statistics:dashboard"), {"year": 2026}).status_code == 200
        counts.append(len(ctx.captured_queries))
        assert not any("cases_casefile" in q["sql"] for q in ctx.captured_queries)
    assert counts[0] == counts[1]


def test_county_leader_keeps_the_county_dashboard(client, users, now):
    client.force_login(users["leader"])
    response = client.get(reverse("statistics:dashboard"))
    assert response.templates[0].name == "statistics/dashboard.html"
