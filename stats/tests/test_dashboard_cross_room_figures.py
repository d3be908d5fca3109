"""Dashboard additions: period selector, training hours and overdue deadlines, review grades
and exemption outcomes (other rooms' interfaces, monkeypatched), units below target, drill-down
links (STA-5.1, STA-5.3, REV-6, STA-2)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from stats.choices import Period, ReportStatus
from stats.services import report_periods_open
from tests.factories import CaseFileFactory

from .factories import StatReportFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db
URL = "/statistics/dashboard/"
D = datetime.date


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 7, 20, 2, tzinfo=datetime.UTC), tick=False):
        yield


def _data(response) -> dict:
    html = response.content.decode()
    start = html.index('id="dash-data"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


def test_sta_5_3_grades_and_outcomes_are_charted(client, users, monkeypatch):
    monkeypatch.setattr(
        "reviews.selectors.grade_distribution", lambda user, year, period: {"excellent": 3, "qualified": 5}
    )
    monkeypatch.setattr("tolerance.selectors.decision_outcomes", lambda user, year, period: {"exempt": 2})
    client.force_login(users["leader"])
    response = client.get(URL)
    data = _data(response)
    assert {"name": "优秀", "value": 3} in data["grades"]
    assert {"name": "不合格", "value": 0} in data["grades"]
    assert {"name": "予以免责", "value": 2} in data["outcomes"]
    html = response.content.decode()
    assert 'data-chart="grades"' in html and 'data-chart="outcomes"' in html


def test_sta_5_3_grades_and_outcomes_empty_state(client, users, monkeypatch):
    monkeypatch.setattr("reviews.selectors.grade_distribution", lambda user, year, period: {})
    monkeypatch.setattr("tolerance.selectors.decision_outcomes", lambda user, year, period: {})
    client.force_login(users["leader"])
    html = client.get(URL).content.decode()
    assert "还没有已签署的自查记录" in html and "还没有容错免责决定" in html


def test_sta_5_1_training_hours_and_period_selector(client, users, dept):
    officer = users["handler"].officer
    TrainingSessionFactory(organiser=dept, held_on=D(2026, 3, 1), hours=Decimal("4"), people=[officer])
    TrainingSessionFactory(organiser=dept, held_on=D(2026, 7, 10), hours=Decimal("2"), people=[officer])
    client.force_login(users["leader"])
    assert client.get(URL + "?year=2026").context["training"]["hours"] == Decimal("6")
    assert client.get(URL + "?year=2026&period=half").context["training"]["hours"] == Decimal("4")


def test_sta_5_3_half_year_counts_only_the_first_half(client, users, dept):
    main, co = users["handler"].officer, users["legal_officer"].officer
    CaseFileFactory(department=dept, main_handler=main, co_handlers=[co], filed_on=D(2026, 3, 1))
    CaseFileFactory(department=dept, main_handler=main, co_handlers=[co], filed_on=D(2026, 7, 1))
    client.force_login(users["leader"])
    assert client.get(URL + "?year=2026&period=half").context["figures"]["filed"] == 1
    assert client.get(URL + "?year=2026").context["figures"]["filed"] == 2


def test_sta_2_overdue_reports_put_a_unit_below_target_with_drill_down(client, users, dept, other_dept):
    with time_machine.travel(datetime.datetime(2026, 7, 1, 2, tzinfo=datetime.UTC), tick=False):
        report_periods_open(today=D(2026, 7, 1))
    client.force_login(users["bureau_staff"])
    # STA-2: the overdue reports are 2025's annual ones (due 10 January 2026): the 2025 dashboard
    # shows them; the 2026 dashboard, whose reports are not yet due, does not.
    with time_machine.travel(datetime.datetime(2026, 7, 1, 2, tzinfo=datetime.UTC), tick=False):
        assert not any(r["reports"] for r in client.get(URL).context["below_target"])
        response = client.get(URL + "?year=2025")
    rows = response.context["below_target"]
    assert {r["department"].pk for r in rows} >= {dept.pk, other_dept.pk}
    assert all(r["reports"] == 1 for r in rows)
    assert response.context["overdue_total"] >= 2
    html = response.content.decode()
    assert reverse("statistics:reports") in html
    assert f"?department={dept.pk}&amp;overdue=on" in html
    # the unit's row: nothing to self-review or transfer, one
    # overdue report linked to the reports page, both 2025 half-year summaries overdue (REV-9)
    row = html[html.index(f"?department={dept.pk}&amp;overdue=on") :]
    row = row[: row.index("</tr>")]
    assert '<td class="text-end" data-figure="coverage">—</td>' in row
    assert '<td class="text-end" data-figure="transfer_rate">—</td>' in row
    assert f'<a class="badge text-bg-danger text-decoration-none" href="{reverse("statistics:reports")}">1</a>' in row
    assert row.endswith(
        '<td class="text-end" data-figure="summaries"><span class="badge text-bg-danger">2</span></td>\n'
    )


def test_drill_down_links_from_figures(client, users, dept):
    client.force_login(users["leader"])
    html = client.get(URL + "?year=2026").content.decode()
    assert f"{reverse('cases:list')}?year=2026" in html
    assert reverse("statistics:training") in html
    assert reverse("org:officer_list") in html


def test_rev_6_unit_with_late_transfer_below_target(client, users, dept):
    main, co = users["handler"].officer, users["legal_officer"].officer
    CaseFileFactory(
        department=dept, main_handler=main, co_handlers=[co], filed_on=D(2026, 1, 5), closed_on=D(2026, 2, 1)
    )
    client.force_login(users["leader"])
    rows = client.get(URL).context["below_target"]
    assert rows[0]["department"].pk == dept.pk and rows[0]["rate"] == 0.0


def test_sta_2_submitted_report_is_not_overdue(users, dept, other_dept):
    from stats.report_selectors import county_status

    StatReportFactory(department=dept, status=ReportStatus.SUBMITTED, period=Period.HALF_YEAR)
    rows = {r.department.pk: r for r in county_status(users["bureau_staff"], 2026, Period.HALF_YEAR, D(2026, 7, 20))}
    assert not rows[dept.pk].overdue and rows[dept.pk].status == "submitted"
    assert rows[other_dept.pk].overdue and rows[other_dept.pk].status == "not_started"
