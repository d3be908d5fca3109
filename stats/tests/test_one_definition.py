"""One figure, one definition: every page that shows a figure for the same unit and
period shows the same value (REV-5, REV-6, REV-9, STA-2, STA-5.2, STA-5.3, STA-5.4); the
dashboard obeys the chosen year and period; the unit grade is banded on the exact mean (REV-15)."""

from __future__ import annotations

import datetime
import io
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from reviews import services as review_services
from reviews.tests.factories import locked_review, scored_items, submitted_review, template_for
from stats import services
from stats.choices import Period
from tests.exports import export_content
from tests.factories import CaseFileFactory, PowerItemFactory, category

from .test_report_views import CLERK_FIGURES

pytestmark = pytest.mark.django_db

D = datetime.date
DASHBOARD = "/statistics/dashboard/"


@pytest.fixture(autouse=True)
def _today():
    """1 March 2026: 2025 is over, its annual report (due 10 January) and both its half-year
    summaries (due 15 July 2025 and 15 January 2026) are past due."""
    with time_machine.travel(datetime.datetime(2026, 3, 1, 2, tzinfo=datetime.UTC), tick=False):
        yield


def _file(dept, users, code="punishment", **kw):
    """Handled by people already in ``dept`` (no new certificate holder); the co-handler is not
    the legal officer who self-reviews the file (REV-7: nobody reviews a file they handled)."""
    return CaseFileFactory(
        department=dept,
        category=category(code),
        main_handler=users["handler"].officer,
        co_handlers=[users["party_member"].officer],
        **kw,
    )


@pytest.fixture
def year_2025(users, dept, other_dept):
    """``dept``'s 2025: punishment P1 (hearing, 1,000 + 200, transferred on time, self-reviewed),
    P2 (500, closed in May, never transferred: overdue), P3 (filed in November with a hearing,
    decided 2026); a licensing file L1 (filed and closed in 2025, transferred late, 80 yuan);
    and a 2026 file closed in January, untransferred, overdue today — not a 2025 figure."""
    PowerItemFactory(department=dept, category=category("punishment"))
    p1 = _file(
        dept,
        users,
        filed_on=D(2025, 2, 1),
        decided_on=D(2025, 3, 1),
        closed_on=D(2025, 3, 10),
        transferred_for_review_on=D(2025, 3, 20),
        fine_amount=Decimal("1000"),
        confiscation_amount=Decimal("200"),
        hearing_held=True,
        status="closed",
    )
    _file(
        dept,
        users,
        filed_on=D(2025, 4, 1),
        decided_on=D(2025, 5, 1),
        closed_on=D(2025, 5, 10),
        fine_amount=Decimal("500"),
        status="closed",
    )
    _file(dept, users, filed_on=D(2025, 11, 3), decided_on=D(2026, 1, 20), hearing_held=True)
    _file(
        dept,
        users,
        "licensing",
        filed_on=D(2025, 6, 1),
        decided_on=D(2025, 6, 20),
        closed_on=D(2025, 7, 1),
        transferred_for_review_on=D(2025, 9, 15),
        fine_amount=Decimal("80"),
        status="closed",
    )
    _file(dept, users, filed_on=D(2025, 12, 20), closed_on=D(2026, 1, 10), status="closed")
    locked_review(p1, users)
    # the 2025 annual report of ``dept``, prefilled, submitted and accepted; ``other_dept`` none
    report = services.report_start(department=dept, year=2025, period=Period.YEAR, by=users["legal_officer"])
    services.report_figures_save(
        report=report, by=users["legal_officer"], data={k: {"value": v} for k, v in CLERK_FIGURES.items()}
    )
    services.report_submit(report=report, by=users["legal_officer"])
    return services.report_accept(report=report, by=users["bureau_staff"])


def _cell(html: str, figure: str, unit: int | None = None, category_code: str | None = None) -> str:
    """The figure in the element marked ``data-figure=figure`` (inside the row of ``unit`` or of
    ``category_code`` when given): its first number (with ¥ or %), or its text."""
    if unit is not None or category_code is not None:
        marker = f'data-unit="{unit}"' if unit is not None else f'data-category="{category_code}"'
        rows = [html[i : html.index("</tr>", i)] for i in (m.start() for m in re.finditer(re.escape(marker), html))]
        html = next(r for r in rows if f'data-figure="{figure}"' in r)
    found = re.search(rf'data-figure="{figure}"[^>]*>(.*?)</(td|div|a)>', html, re.S)
    assert found, figure
    text = " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())
    number = re.search(r"¥?[\d,]+(\.\d+)?%?", text)
    return number.group(0) if number else text


def _number(text: str) -> Decimal:
    return Decimal(text.replace("¥", "").replace(",", "").replace("%", ""))


def _sheet(wb, title: str, unit_name: str) -> dict:
    rows = list(wb[title].iter_rows(values_only=True))
    header = rows[1]
    row = next(r for r in rows[2:] if r[0] == unit_name)
    return dict(zip(header, row, strict=True))


def test_every_page_shows_the_same_figure_for_the_same_unit_and_period(client, users, dept, other_dept, year_2025):
    """REV-6, REV-5, STA-2, REV-9, STA-5.3, STA-5.2 (STA-5.4: no 瞒报/漏报/多报 between pages): the
    dashboards (county and unit), the assessment page, the coverage page, the report list, the
    report page (recorded values) and the county workbook read back with openpyxl agree."""
    client.force_login(users["leader"])
    county = client.get(DASHBOARD + "?year=2025").content.decode()
    client.force_login(users["legal_head"])
    unit = client.get(DASHBOARD + "?year=2025").content.decode()
    assessment = client.get(reverse("reviews:assessment") + "?year=2025").content.decode()
    coverage = client.get(reverse("reviews:coverage") + "?year=2025").content.decode()
    report_page = client.get(reverse("statistics:report", args=[year_2025.pk])).content.decode()
    client.force_login(users["bureau_staff"])
    report_list = client.get(reverse("statistics:reports") + "?year=2025&period=year")
    county_assessment = client.get(reverse("reviews:assessment") + "?year=2025").content.decode()
    # County-wide, the workbook is a background job: followed to its download.
    workbook = load_workbook(
        io.BytesIO(export_content(client, reverse("statistics:county_export") + "?year=2025&period=year"))
    )

    # REV-6 self-review rate: P1 reviewed of P1, P2, L1 reviewable → 33.3 %
    rates = {
        _cell(county, "coverage", dept.pk),
        _cell(unit, "coverage"),
        _cell(assessment, "coverage", dept.pk),
        _cell(coverage, "coverage", dept.pk),
    }
    assert rates == {"33.3%"}
    # REV-5 on-time transfer: P1 on time of P1, P2 (30 days passed), L1 (late) → 33.3 %
    assert _cell(county, "transfer_rate", dept.pk) == _cell(unit, "transfer_rate") == "33.3%"
    # REV-5 overdue transfers of the period: P2 only (not the 2026 file overdue today)
    assert _cell(county, "overdue_transfers", dept.pk) == "1"
    # STA-2 overdue reports of 2025: other_dept's (none started), not dept's (accepted)
    listed = {r.department.pk: int(r.overdue) for r in report_list.context["rows"]}
    assert listed[dept.pk] == 0 and listed[other_dept.pk] == 1
    for pk, overdue in listed.items():
        assert _cell(county, "reports", pk) == str(overdue), pk
    assert _cell(report_list.content.decode(), "reports_total") == str(sum(listed.values()))
    # REV-9 overdue summaries of 2025: both halves, for each unit
    for d in (dept, other_dept):
        assert _cell(county, "summaries", d.pk) == _cell(county_assessment, "summaries", d.pk) == "2"

    # STA-5.3 行政处罚 filed / closed / hearings / 罚没金额: dashboard category row = report page
    # (recorded) = county workbook
    cases = _sheet(workbook, "案件情况（行政处罚）", dept.name)
    punishment = _sheet(workbook, "行政处罚", dept.name)

    def recorded(key: str) -> Decimal:
        return _number(_cell(report_page.replace("data-recorded=", "data-figure="), key))

    for figure, label, expected in (
        ("filed", "立案数量（行政处罚）", 4),
        ("closed", "结案数量（行政处罚）", 2),
        ("hearings", "听证数量（本期立案的行政处罚案卷）", 2),
    ):
        assert _number(_cell(unit, figure, category_code="punishment")) == expected, figure
        assert recorded(figure) == expected, figure
        assert cases[label] == expected, figure
    amount = _number(_cell(unit, "amount", category_code="punishment"))
    assert amount == recorded("penalty_amount") == Decimal(punishment["罚没金额（元，本期决定的行政处罚案卷）"])
    assert amount == Decimal("1700")
    # the headline counts every category and says so: 立案 5 (with L1), 罚没金额 1,780
    assert _cell(unit, "filed") == "5" and "全部类别" in unit  # P1, P2, P3, L1 and the December file
    assert _number(_cell(unit, "amount")) == Decimal("1780")

    # STA-5.2 certificate holders at the period's end: unit dashboard = report page = workbook
    holders = _number(_cell(unit, "holders"))
    assert holders == recorded("holders") == _sheet(workbook, "执法人员与持证", dept.name)["持证人数（期末有效执法证）"]
    assert holders == 5


def test_the_dashboard_obeys_the_chosen_period(client, users, dept, other_dept, year_2025):
    """STA-2, REV-9, REV-5: a 2025 H1 dashboard shows 2025 H1's overdue reports and summaries and
    the transfers of files closed in 2025 H1, not 2026's or today's; its chart has six months;
    no stand-in figures or footnotes about missing modules."""
    client.force_login(users["leader"])
    response = client.get(DASHBOARD + "?year=2025&period=half")
    html = response.content.decode()
    # STA-2: no 2025 H1 report for either unit (due 10 July 2025): both overdue
    assert _cell(html, "reports", dept.pk) == _cell(html, "reports", other_dept.pk) == "1"
    # REV-9: the first half only
    assert _cell(html, "summaries", dept.pk) == "1"
    # REV-5: P2 (closed May 2025) is overdue; the 2026 file overdue today is not counted
    assert _cell(html, "overdue_transfers", dept.pk) == "1"
    data = json.loads(re.search(r'<script id="dash-data" type="application/json">(.*?)</script>', html).group(1))
    assert data["month"]["x"] == ["1月", "2月", "3月", "4月", "5月", "6月"]
    assert len(data["month"]["filed"]) == 6 and sum(data["month"]["filed"]) == 3
    assert "替代指标" not in html and "评查模块提供" not in html
    # the 2026 dashboard: no 2026 report or summary is due yet; the file closed in January 2026
    # is the one overdue transfer
    html_2026 = client.get(DASHBOARD + "?year=2026").content.decode()
    assert _cell(html_2026, "overdue_transfers", dept.pk) == "1"
    assert not any(r["reports"] or r["summaries"] for r in client.get(DASHBOARD + "?year=2026").context["below_target"])
    assert (
        len(json.loads(re.search(r'id="dash-data" type="application/json">(.*?)<', html_2026).group(1))["month"]["x"])
        == 12
    )


def _review_scoring(case, users, deduction: Decimal):
    """A locked self-review of ``case`` whose score is 100 − ``deduction``."""
    items, findings, left = scored_items(template_for(case)), {}, deduction
    for item in items:
        take = min(Decimal(item.points), left)
        if take:
            findings[item.pk] = (False, take, "扣分")
        left -= take
    assert left == 0
    review = submitted_review(case, users["legal_officer"], findings=findings)
    review_services.self_review_sign(review=review, by=users["legal_head"], role="legal_head")
    review_services.self_review_sign(review=review, by=users["unit_head"], role="unit_head")
    review.refresh_from_db()
    return review


def test_rev_15_unit_grade_is_banded_on_the_exact_mean(client, users, dept):
    """REV-15: scores 89.9 and 90.0 average 89.95 — 合格, not a mean rounded to 90.0 优秀; the
    page shows 89.95."""
    a = _file(dept, users, filed_on=D(2025, 1, 5), closed_on=D(2025, 2, 1), transferred_for_review_on=D(2025, 2, 5))
    b = _file(dept, users, filed_on=D(2025, 1, 6), closed_on=D(2025, 2, 2), transferred_for_review_on=D(2025, 2, 6))
    assert _review_scoring(a, users, Decimal("10.1")).score == Decimal("89.9")
    assert _review_scoring(b, users, Decimal("10")).score == Decimal("90.0")
    client.force_login(users["legal_head"])
    html = client.get(reverse("reviews:assessment") + "?year=2025").content.decode()
    assert _cell(html, "avg_score", dept.pk) == "89.95"
    row = html[html.index(f'data-unit="{dept.pk}"') :]
    grade = row[row.index('data-figure="grade"') : row.index("</td>", row.index('data-figure="grade"'))]
    assert "合格" in grade and "优秀" not in grade


def test_home_panel_reads_the_dashboards_figures_for_this_year(client, users, dept, year_2025):
    """STA-5.3, REV-5: the home page's 立案, 结案, 罚没金额 and 本期结案逾期未移交 are
    the dashboard's for this year (2026), for the department and for the county, labelled with
    their definition — not a count of its own (it counted every closed file of any year as
    待移交)."""
    for who in ("legal_head", "leader", "handler"):
        client.force_login(users[who])
        home = client.get(reverse("home")).content.decode()
        dashboard = client.get(DASHBOARD + "?year=2026").content.decode()
        panel = home[home.index('id="home-figures"') :]
        for figure in ("filed", "closed", "amount"):
            assert _cell(panel, figure) == _cell(dashboard, figure), (who, figure)
        overdue = client.get(DASHBOARD + "?year=2026").context["overdue"]["transfers"]
        assert _cell(panel, "overdue_transfers") == str(overdue) == "1", who  # the file closed January 2026
        assert "全部类别" in panel and "本期结案逾期未移交" in panel
    assert _cell(panel, "closed") == "1"


def test_review_queue_names_its_backlog_apart_from_the_period_figure(client, users, dept, year_2025):
    """REV-5: the review queue's to-do count is the backlog across all years, named
    "当前逾期未移交（全部年度）" with its definition, never the dashboard's "本期结案逾期未移交";
    it is the sum of the dashboard's period figures over the years (2025: P2; 2026: the January
    file)."""
    client.force_login(users["bureau_staff"])
    queue = client.get(reverse("reviews:index")).content.decode()
    assert "当前逾期未移交（全部年度）" in queue and "截至今天" in queue
    # the period figure is only named in the definition ("即各年度……之和"), never as a figure
    assert 'data-figure="overdue_transfers"' not in queue and ">本期结案逾期未移交" not in queue
    client.force_login(users["leader"])
    by_year = [
        _cell(client.get(DASHBOARD + f"?year={y}").content.decode(), "overdue_transfers", dept.pk) for y in (2025, 2026)
    ]
    assert by_year == ["1", "1"]
    assert _cell(queue, "overdue_transfers_now", dept.pk) == "2"


def test_summaries_page_shows_the_dashboards_overdue_summaries(client, users, dept, other_dept, year_2025):
    """REV-9: the half-year summaries page marks each unit's overdue summaries for the
    chosen half; 2025 H1 equals the dashboard's 2025 first half, H1 + H2 its 2025 year."""
    client.force_login(users["bureau_staff"])
    h1 = client.get(reverse("reviews:summaries") + "?year=2025&half=1").content.decode()
    h2 = client.get(reverse("reviews:summaries") + "?period=2025-2").content.decode()
    assert "逾期半年总结" in h1
    client.force_login(users["leader"])
    half = client.get(DASHBOARD + "?year=2025&period=half").content.decode()
    year = client.get(DASHBOARD + "?year=2025").content.decode()
    for d in (dept, other_dept):
        assert _cell(h1, "summaries", d.pk) == _cell(half, "summaries", d.pk) == "1"
        assert int(_cell(h1, "summaries", d.pk)) + int(_cell(h2, "summaries", d.pk)) == int(
            _cell(year, "summaries", d.pk)
        )


def test_public_certificate_list_counts_the_dashboards_holders(client, users, dept, other_dept, year_2025):
    """STA-5.2: the public list's 共 N 人 of a unit, and of the county, is the
    dashboard's 持证人数 for today, and the list shows exactly that many people (an officer with
    two valid certificates once; an officer who is not an enforcement officer not at all)."""
    from tests.factories import CertificateFactory, OfficerFactory

    officer = users["handler"].officer
    CertificateFactory(officer=officer, number="14103199999999")  # a second valid certificate
    clerk = OfficerFactory(department=dept, region=dept.region, name="赵文员", is_enforcement_officer=False)
    CertificateFactory(officer=clerk)
    client.force_login(users["legal_head"])
    unit = _number(_cell(client.get(DASHBOARD + "?year=2026").content.decode(), "holders"))
    client.force_login(users["leader"])
    county = _number(_cell(client.get(DASHBOARD + "?year=2026").content.decode(), "holders"))
    client.logout()
    response = client.get(reverse("public:certificates") + f"?department={dept.pk}")
    listed = response.content.decode()
    assert _number(_cell(listed, "holders")) == unit == len(response.context["page"].object_list)
    assert [h["officer__name"] for h in response.context["page"].object_list].count(officer.name) == 1
    assert "赵文员" not in listed
    everyone = client.get(reverse("public:certificates"))
    assert _number(_cell(everyone.content.decode(), "holders")) == county == len(everyone.context["page"].object_list)
