"""The leaders' dashboard at /statistics/dashboard/ (STA-5.2, STA-5.3, REV-5): figures, scope,
refusals, the chart data and a constant number of queries."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.choices import LitigationState
from tests.factories import CaseFileFactory, CertificateFactory, OfficerFactory, certified_officer
from xian_enforcement.org.choices import CertificateStatus

pytestmark = pytest.mark.django_db

URL = "/statistics/dashboard/"
D = datetime.date


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(datetime.datetime(2026, 6, 30, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def case(department, main, co, **kwargs):
    return CaseFileFactory(department=department, main_handler=main, co_handlers=[co], **kwargs)


@pytest.fixture
def data(users, dept, other_dept):
    """Known figures (today 2026-06-30; REV-5 cutoff for closing: 2026-05-31)."""
    main, co = users["handler"].officer, users["legal_officer"].officer
    files = {
        # transferred on time, hearing held, decided 2026: 1,200
        "A": case(
            dept,
            main,
            co,
            filed_on=D(2026, 1, 10),
            decided_on=D(2026, 2, 1),
            closed_on=D(2026, 2, 10),
            transferred_for_review_on=D(2026, 2, 20),
            fine_amount=Decimal("1000.00"),
            confiscation_amount=Decimal("200.00"),
            hearing_held=True,
        ),
        # closed 2026-04-01, not transferred: overdue
        "B": case(
            dept, main, co, filed_on=D(2026, 3, 5), decided_on=D(2026, 3, 20), closed_on=D(2026, 4, 1), fine_amount=500
        ),
        # filed 2025, transferred late (69 days)
        "C": case(
            dept,
            main,
            co,
            year=2025,
            filed_on=D(2025, 12, 1),
            decided_on=D(2026, 1, 5),
            closed_on=D(2026, 1, 20),
            transferred_for_review_on=D(2026, 3, 30),
            fine_amount=Decimal("300.00"),
        ),
        # open
        "D": case(dept, main, co, filed_on=D(2026, 6, 1), fine_amount=0),
        # under litigation: excluded from REV-5 counts (REV-12)
        "E": case(
            dept,
            main,
            co,
            filed_on=D(2026, 2, 1),
            decided_on=D(2026, 2, 15),
            closed_on=D(2026, 3, 1),
            fine_amount=100,
            litigation=LitigationState.PENDING,
        ),
        # closed ten days ago: transfer not yet due
        "F": case(dept, main, co, filed_on=D(2026, 6, 10), closed_on=D(2026, 6, 20), fine_amount=0),
    }
    other_main, other_co = certified_officer(other_dept), certified_officer(other_dept)
    files["X"] = case(
        other_dept,
        other_main,
        other_co,
        filed_on=D(2026, 4, 1),
        decided_on=D(2026, 4, 2),
        closed_on=D(2026, 4, 5),
        fine_amount=Decimal("9999.00"),
        title="龙泉镇外部门案",
    )
    # Certificates in dept: the five department users hold valid ones; add a suspended, an
    # expired and an uncertified officer.
    CertificateFactory(officer=OfficerFactory(department=dept, region=dept.region), status=CertificateStatus.SUSPENDED)
    CertificateFactory(officer=OfficerFactory(department=dept, region=dept.region), valid_to=D(2026, 6, 1))
    OfficerFactory(department=dept, region=dept.region)
    return files


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def test_url_names_are_stable(client, users):
    assert reverse("statistics:dashboard") == URL
    client.force_login(users["leader"])
    response = client.get(reverse("statistics:index"))
    assert response.status_code == 302 and response["Location"] == URL


@pytest.mark.parametrize("url", ["/statistics/", URL])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditadmin", "nobody"])
def test_admins_and_users_without_role_are_refused_with_the_reason(client, users, role):
    response = get(client, users[role])
    assert response.status_code == 403
    assert "STA-5.3" in response.content.decode()


@pytest.mark.parametrize("role", ["legal_officer", "legal_head", "unit_head", "party_member", "handler"])
def test_sta_5_3_department_roles_see_their_department_only(client, users, data, dept, role):
    response = get(client, users[role])
    assert response.status_code == 200
    f = response.context["figures"]
    assert (f["filed"], f["closed"], f["hearings"]) == (5, 5, 1)
    assert f["amount"] == Decimal("2100.00")
    assert f["months_filed"] == [1, 1, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0]
    assert f["months_closed"] == [1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0]
    # REV-5: A, B, C due (F not yet; E excluded by REV-12); only A on time.
    assert (f["transfer_on_time"], f["transfer_due"], f["transfer_rate"]) == (1, 3, 33.3)
    assert [d.pk for d in response.context["departments"]] == [dept.pk]
    (row,) = response.context["departments"]
    assert (row.filed, row.closed, row.amount, row.hearings, row.overdue) == (5, 5, Decimal("2100.00"), 1, 1)
    html = response.content.decode()
    assert "龙泉镇" not in html
    assert "9,999" not in html


def test_sta_5_2_certificate_holders_and_rate_of_the_department(client, users, data):
    response = get(client, users["legal_head"])
    c = response.context["certificates"]
    assert (c["holders"], c["officers"], c["rate"]) == (5, 8, 62.5)
    assert "62.5%" in response.content.decode()


@pytest.mark.parametrize("role", ["leader", "bureau_staff", "review_group"])
def test_sta_5_3_county_roles_see_the_county_by_department(client, users, data, dept, other_dept, bureau, role):
    response = get(client, users[role])
    assert response.status_code == 200
    f = response.context["figures"]
    assert (f["filed"], f["closed"]) == (6, 6)
    assert f["amount"] == Decimal("12099.00")
    rows = response.context["departments"]
    assert [d.pk for d in rows][:2] == [dept.pk, other_dept.pk]  # most filed first
    assert {d.pk: d.overdue for d in rows} == {dept.pk: 1, other_dept.pk: 1, bureau.pk: 0}
    c = response.context["certificates"]
    # dept 8 officers / 5 holders, other_dept 2/2, bureau 2/2; leaders and admins have no department.
    assert (c["holders"], c["officers"]) == (9, 12)
    html = response.content.decode()
    assert "龙泉镇" in html and "¥12,099.00" in html
    assert "有案卷逾期未移交自查的单位：2 个" in html
    # the unit rows: link, figures, badge
    table = html[html.index('id="dept-table"') :]
    row = table[table.index(f"?department={dept.pk}&amp;year=2026") :]
    row = row[: row.index("</tr>")]
    first = rows[0]
    assert f">{dept.short_name or dept.name}</a>" in row
    assert f'<td class="text-end">{first.filed:,}</td>' in row and "逾期 1 件" in row
    idle = table[table.index(f"?department={bureau.pk}&amp;year=2026") :]
    assert '<span class="text-success">0</span>' in idle[: idle.index("</tr>")]


def test_year_selector_defaults_to_this_year_and_switches(client, users, data):
    response = get(client, users["leader"])
    assert response.context["year"] == 2026
    assert response.context["years"] == [2026, 2025]
    response = client.get(URL, {"year": 2025})
    f = response.context["figures"]
    assert (f["filed"], f["closed"], f["amount"]) == (1, 0, Decimal("0.00"))
    assert client.get(URL, {"year": "abc"}).context["year"] == 2026
    assert client.get(URL, {"year": 1900}).context["year"] == 2026


def test_charts_get_their_data_as_json_and_titles_that_state_the_finding(client, users, data):
    response = get(client, users["legal_officer"])
    html = response.content.decode()
    match = re.search(r'<script id="dash-data" type="application/json">(.*?)</script>', html, re.S)
    assert match
    payload = json.loads(match.group(1))
    # Months not yet begun (today is 30 June) carry no figure.
    assert payload["month"]["filed"] == [1, 1, 1, 0, 0, 2, None, None, None, None, None, None]
    assert payload["month"]["title"] == "2026年立案 5 件，结案 5 件"
    assert payload["category"]["title"] == "行政处罚立案最多：5 件，占全部立案的 100%"
    assert "2026年立案 5 件，结案 5 件" in html
    # Each chart has a table view with the same numbers, and a toggle to it.
    assert html.count("data-view-toggle=") == 2
    assert 'data-table="month"' in html and 'data-table="category"' in html
    # No inline script (a Content-Security-Policy will forbid them): every script has a src,
    # except the JSON data block.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "js/dashboard.js" in html and "vendor/echarts/echarts.min.js" in html


def test_empty_year_says_so(client, users):
    response = get(client, users["leader"])
    assert response.status_code == 200
    assert "2026年尚无立案" in response.content.decode()
    assert response.context["figures"]["transfer_rate"] is None


def _more_files(department, n, main, co):
    for i in range(n):
        case(
            department,
            main,
            co,
            filed_on=D(2026, 1 + i % 6, 1 + i % 27),
            decided_on=D(2026, 1 + i % 6, 2 + i % 27),
            closed_on=D(2026, 1 + i % 6, 3 + i % 25) if i % 2 else None,
            transferred_for_review_on=D(2026, 6, 29) if i % 4 == 1 else None,
            fine_amount=i,
            hearing_held=bool(i % 3 == 0),
        )


@pytest.mark.parametrize("role", ["leader", "legal_officer", "handler"])
def test_query_count_does_not_grow_with_the_data(client, users, dept, other_dept, role):
    """performance.md target 6: the same number of queries at two data sizes."""
    main, co = users["handler"].officer, users["legal_officer"].officer
    other_main, other_co = certified_officer(other_dept), certified_officer(other_dept)
    _more_files(dept, 3, main, co)
    _more_files(other_dept, 3, other_main, other_co)
    client.force_login(users[role])
    client.get(URL)
    # The cache is emptied before each measurement: served from the cache both pages would run
    # the same few queries whatever the data, and the test would no longer measure the
    # aggregates (factories do not bump the data versions, so the second page would even be
    # the first one's data).
    cache.clear()
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    _more_files(dept, 40, main, co)
    _more_files(other_dept, 30, other_main, other_co)
    for _ in range(5):
        certified_officer(dept)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    # Served from the cache, the page runs fewer queries, again whatever the data size.
    with CaptureQueriesContext(connection) as cached:
        assert client.get(URL).status_code == 200
    assert len(cached.captured_queries) < len(large.captured_queries)
