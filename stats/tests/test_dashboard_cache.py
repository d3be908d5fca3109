"""The dashboard's aggregates are cached per scope, year, period and day, under the data
versions of the rooms they read: cached where the data allows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stats import dashboard_cache, training
from tests.factories import CaseFileFactory, certified_officer

pytestmark = pytest.mark.django_db
URL = "/statistics/dashboard/"
D = datetime.date


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 6, 30, 10, tzinfo=datetime.UTC), tick=False):
        yield


def file(department, users, **kwargs):
    main, co = users["handler"].officer, users["legal_officer"].officer
    if department.pk != main.department_id:
        main, co = certified_officer(department), certified_officer(department)
    return CaseFileFactory(department=department, main_handler=main, co_handlers=[co], **kwargs)


def filed(client, **params) -> int:
    return client.get(URL, params).context["figures"]["filed"]


def test_second_request_for_the_same_scope_is_served_from_the_cache(client, users, dept):
    file(dept, users, filed_on=D(2026, 3, 1))
    client.force_login(users["leader"])
    with CaptureQueriesContext(connection) as first:
        first_response = client.get(URL)
    with CaptureQueriesContext(connection) as second:
        second_response = client.get(URL)
    assert len(second.captured_queries) < len(first.captured_queries)
    # None of the cached aggregates is computed again (case files are still read, by the
    # per-user review grades).
    computed = " ".join(q["sql"] for q in first.captured_queries)
    sql = " ".join(q["sql"] for q in second.captured_queries)
    for table in ("reviews_semiannualsummary", "org_certificate", "statistics_trainingattendance"):
        assert f'"{table}"' in computed and f'"{table}"' not in sql, table
    assert second_response.context["figures"] == first_response.context["figures"]
    assert [d.pk for d in second_response.context["departments"]] == [
        d.pk for d in first_response.context["departments"]
    ]


def test_a_bumped_version_recomputes_the_figures(client, users, dept):
    file(dept, users, filed_on=D(2026, 3, 1))
    client.force_login(users["leader"])
    assert filed(client) == 1
    file(dept, users, filed_on=D(2026, 4, 1))  # a factory: no version bumped …
    assert filed(client) == 1  # … so the cached figures stand (the TTL is the safety net)
    dashboard_cache.bump_data_version("cases")  # what cases/services.py does after a write
    assert filed(client) == 2


@pytest.mark.parametrize("room", dashboard_cache.ROOMS)
def test_every_room_read_invalidates(client, users, dept, room):
    client.force_login(users["leader"])
    client.get(URL)
    with CaptureQueriesContext(connection) as cached_page:
        client.get(URL)
    dashboard_cache.bump_data_version(room)
    with CaptureQueriesContext(connection) as recomputed:
        client.get(URL)
    assert len(recomputed.captured_queries) > len(cached_page.captured_queries)


def test_an_evicted_version_never_brings_back_an_older_entry(client, users, dept):
    client.force_login(users["leader"])
    assert filed(client) == 0
    file(dept, users, filed_on=D(2026, 3, 1))
    cache.delete("data-version:cases")  # evicted (locmem culls, Redis may evict)
    assert filed(client) == 1
    dashboard_cache.bump_data_version("cases")
    assert cache.get("data-version:cases") > 0


def test_training_recorded_through_the_service_invalidates(client, users, dept, django_capture_on_commit_callbacks):
    client.force_login(users["leader"])
    assert client.get(URL).context["training"]["hours"] == Decimal("0")
    with django_capture_on_commit_callbacks(execute=True):
        training.training_create(
            by=users["legal_officer"],
            organiser=dept,
            title="行政处罚法",
            content="要点",
            held_on=D(2026, 3, 1),
            hours=Decimal("4"),
            attendees=[users["handler"].officer],
        )
    assert client.get(URL).context["training"]["hours"] == Decimal("4")


@pytest.mark.parametrize("county_first", [True, False])
def test_county_and_department_never_share_an_entry(client, users, dept, other_dept, county_first):
    file(dept, users, filed_on=D(2026, 3, 1))
    file(other_dept, users, filed_on=D(2026, 3, 2), fine_amount=Decimal("9999.00"))
    order = ["leader", "legal_officer"] if county_first else ["legal_officer", "leader"]
    seen = {}
    for role in order:
        client.force_login(users[role])
        response = client.get(URL)
        seen[role] = response.context["figures"]["filed"], [d.pk for d in response.context["departments"]]
    assert seen["leader"][0] == 2 and other_dept.pk in seen["leader"][1]
    assert seen["legal_officer"] == (1, [dept.pk])
    client.force_login(users["legal_officer"])
    assert "9,999" not in client.get(URL).content.decode()


def test_year_period_and_day_are_in_the_key(client, users, dept):
    file(dept, users, filed_on=D(2026, 3, 1))
    file(dept, users, filed_on=D(2025, 3, 1))
    client.force_login(users["leader"])
    assert filed(client, year=2026) == 1
    assert filed(client, year=2025) == 1
    assert client.get(URL, {"year": 2026}).context["years"] == [2026, 2025]
    file(dept, users, filed_on=D(2026, 7, 1))
    assert filed(client, year=2026, period="half") == 1
    # Another day is another entry: the REV-5 cutoff and overdue deadlines move with the date.
    with time_machine.travel(datetime.datetime(2026, 7, 2, 10, tzinfo=datetime.UTC), tick=False):
        client.force_login(users["leader"])  # the idle session has expired by then
        assert filed(client, year=2026) == 2


def test_grades_are_not_cached_across_users_of_one_scope(client, users, monkeypatch):
    """Grades and outcomes are counted over what the user may see (narrower for a handler):
    they are read per request, never from the scope's cache entry."""
    monkeypatch.setattr(
        "reviews.selectors.grade_distribution", lambda user, year, period: {"excellent": 1 + (user == users["handler"])}
    )
    grades = {}
    for role in ("legal_officer", "handler"):
        client.force_login(users[role])
        data = client.get(URL).context["data"]["grades"]
        grades[role] = next(g["value"] for g in data if g["name"] == "优秀")
    assert grades == {"legal_officer": 1, "handler": 2}


def test_zero_seconds_turns_the_cache_off(client, users, settings):
    settings.STATS_DASHBOARD_CACHE_SECONDS = 0
    client.force_login(users["leader"])
    with CaptureQueriesContext(connection) as first:
        client.get(URL)
    with CaptureQueriesContext(connection) as second:
        client.get(URL)
    assert len(second.captured_queries) == len(first.captured_queries)
    assert not [k for k in cache._cache if dashboard_cache.KEY_PREFIX in k]  # locmem's store
