"""Report pages: allowed / refused (403) / outside (404) / anonymous; the county status page
and aggregate (STA-4); the Excel workbooks; query counts at two data sizes."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from stats import services
from stats.choices import Period, ReportStatus
from stats.models import StatReport
from tests.exports import export_content
from tests.factories import DepartmentFactory, PowerItemFactory, category

from .factories import StatReportFactory

pytestmark = pytest.mark.django_db

CLERK_FIGURES = {"no_penalty": "0", "no_penalty_amount": "0", "mitigated": "0", "mitigated_amount": "0"}


def accepted_report(users, dept):
    report = services.report_start(department=dept, year=2026, period=Period.HALF_YEAR, by=users["legal_officer"])
    services.report_figures_save(
        report=report, by=users["legal_officer"], data={k: {"value": v} for k, v in CLERK_FIGURES.items()}
    )
    services.report_submit(report=report, by=users["legal_officer"])
    return services.report_accept(report=report, by=users["bureau_staff"])


def test_sta_2_anonymous_is_sent_to_login(client, users, dept):
    report = StatReportFactory(department=dept)
    for url in (
        reverse("statistics:reports"),
        reverse("statistics:report", args=[report.pk]),
        reverse("statistics:county_export"),
        reverse("statistics:report_export", args=[report.pk]),
        reverse("statistics:training"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"], url


def test_sta_2_roles_without_access_are_refused_with_reason(client, users, dept):
    report = StatReportFactory(department=dept)
    for role in ("handler", "sysadmin", "auditadmin"):
        client.force_login(users[role])
        response = client.get(reverse("statistics:reports"))
        assert response.status_code == 403
        assert "STA-2" in response.content.decode()
        assert client.get(reverse("statistics:report", args=[report.pk])).status_code == 403


def test_sta_2_report_of_another_unit_is_404(client, users, other_dept):
    report = StatReportFactory(department=other_dept)
    client.force_login(users["legal_officer"])
    assert client.get(reverse("statistics:report", args=[report.pk])).status_code == 404
    assert client.post(reverse("statistics:report_submit", args=[report.pk])).status_code == 404


def test_sta_2_readable_not_writable_is_403(client, users, dept, records):
    report = services.report_start(department=dept, year=2026, period=Period.HALF_YEAR, by=users["legal_officer"])
    client.force_login(users["unit_head"])
    assert client.get(reverse("statistics:report", args=[report.pk])).status_code == 200
    response = client.post(reverse("statistics:report_submit", args=[report.pk]))
    assert response.status_code == 403
    assert "STA-2" in response.content.decode()
    client.force_login(users["legal_officer"])
    assert client.post(reverse("statistics:report_accept", args=[report.pk])).status_code == 403


def test_sta_2_clerk_starts_fills_and_submits_through_the_pages(client, users, dept, records):
    client.force_login(users["legal_officer"])
    page = client.get(reverse("statistics:reports") + "?year=2026&period=half")
    assert "开始填报" in page.content.decode()
    response = client.post(
        reverse("statistics:report_start"), {"department": dept.pk, "year": "2026", "period": "half"}
    )
    report = StatReport.objects.get()
    assert response["Location"] == reverse("statistics:report", args=[report.pk])
    page = client.get(response["Location"]).content.decode()
    assert "需填报" in page and "STA-5.4" in page
    # A bad figure: error next to it, nothing saved.
    post = {f"v_{k}": v for k, v in CLERK_FIGURES.items()} | {"v_filed": "9"}
    response = client.post(reverse("statistics:report", args=[report.pk]), post)
    assert response.status_code == 200
    assert "须说明原因" in response.content.decode()
    assert report.figures.get(key="no_penalty").value is None
    post["r_filed"] = "补录纸质案卷"
    post["v_filed"] = "3"
    response = client.post(reverse("statistics:report", args=[report.pk]), post)
    assert response.status_code == 302
    response = client.post(reverse("statistics:report_submit", args=[report.pk]), follow=True)
    assert "报表已报送县司法局" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_sta_5_4_submit_refused_shows_rule(client, users, dept, records):
    report = services.report_start(department=dept, year=2026, period=Period.HALF_YEAR, by=users["legal_officer"])
    client.force_login(users["legal_officer"])
    response = client.post(reverse("statistics:report_submit", args=[report.pk]), follow=True)
    assert "STA-5.4" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_sta_4_bureau_sees_status_returns_and_accepts(client, users, dept, other_dept, records):
    report = services.report_start(department=dept, year=2026, period=Period.HALF_YEAR, by=users["legal_officer"])
    services.report_figures_save(
        report=report, by=users["legal_officer"], data={k: {"value": v} for k, v in CLERK_FIGURES.items()}
    )
    services.report_submit(report=report, by=users["legal_officer"])
    client.force_login(users["bureau_staff"])
    html = client.get(reverse("statistics:reports") + "?year=2026&period=half").content.decode()
    assert "已报送" in html and "未开始" in html and other_dept.name in html
    response = client.post(reverse("statistics:report_return", args=[report.pk]), {"reason": ""}, follow=True)
    assert "须说明原因" in response.content.decode()
    client.post(reverse("statistics:report_accept", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED


def test_sta_4_overdue_flag_on_status_page(client, users, dept, today):
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 7, 20, 2, tzinfo=datetime.UTC), tick=False):
        client.force_login(users["bureau_staff"])
        html = client.get(reverse("statistics:reports") + "?year=2026&period=half").content.decode()
    assert "逾期未报" in html and "bi-exclamation-octagon" in html


def test_sta_4_leader_reads_but_cannot_accept(client, users, dept, records):
    report = accepted_report(users, dept)
    client.force_login(users["leader"])
    assert client.get(reverse("statistics:report", args=[report.pk])).status_code == 200
    assert client.get(reverse("statistics:reports")).status_code == 200


def _rows(ws):
    return list(ws.iter_rows(values_only=True))


def test_sta_4_county_workbook_totals_equal_unit_rows(client, users, dept, other_dept, records):
    accepted_report(users, dept)
    # A second unit with an accepted report of known figures.
    PowerItemFactory(department=other_dept, category=category("punishment"))
    from tests.factories import certified_officer

    clerk = certified_officer(other_dept, roles=["legal_officer"])
    r2 = services.report_start(department=other_dept, year=2026, period=Period.HALF_YEAR, by=clerk.user)
    data = {k: {"value": v} for k, v in CLERK_FIGURES.items()}
    data["penalty_fine"] = {"value": "2", "reason": "两起纸质案卷"}
    data["penalty_total"] = {"value": "2", "reason": "同上"}
    data["penalty_amount"] = {"value": "1234.50", "reason": "同上"}
    assert services.report_figures_save(report=r2, by=clerk.user, data=data) == {}
    services.report_submit(report=r2, by=clerk.user)
    services.report_accept(report=r2, by=users["bureau_staff"])
    client.force_login(users["bureau_staff"])
    # County-wide: a background job; the helper follows it to the download.
    wb = load_workbook(
        io.BytesIO(export_content(client, reverse("statistics:county_export") + "?year=2026&period=half"))
    )
    assert wb.sheetnames[:3] == ["执法人员与持证", "培训", "行政处罚"]
    ws = wb["行政处罚"]
    rows = _rows(ws)
    assert "隰县" in rows[0][0] and "2026年上半年" in rows[0][0] and "导出时间" in rows[0][0]
    header = rows[1]
    assert header[0] == "单位" and header[-1] == "罚没金额（元，本期决定的行政处罚案卷）" and header[-2] == "合计（宗）"
    assert ws.freeze_panes == "B3"
    assert ws.print_title_rows == "$2:$2" or ws.print_title_rows == "2:2"
    assert ws.page_setup.orientation == "landscape"
    units, total = rows[2:-1], rows[-1]
    assert total[0] == "合计" and ws.cell(row=len(rows), column=1).font.bold
    assert len(units) == 2
    for col in range(1, len(header)):
        assert total[col] == sum(u[col] for u in units if isinstance(u[col], (int, float)))
    assert total[-1] == pytest.approx(4700 + 1234.5)
    assert ws.cell(row=3, column=len(header)).number_format == '"¥"#,##0.00'
    assert ws.column_dimensions["A"].width >= 10
    # 行政许可: neither unit has the power.
    lic = _rows(wb["行政许可"])
    assert lic[2][1] == "无相关职责"


def test_sta_4_county_workbook_totals_equal_dashboard_amount(client, users, dept, records):
    accepted_report(users, dept)
    client.force_login(users["bureau_staff"])
    wb = load_workbook(
        io.BytesIO(export_content(client, reverse("statistics:county_export") + "?year=2026&period=half"))
    )
    total = _rows(wb["案件情况（行政处罚）"])[-1]
    header = _rows(wb["案件情况（行政处罚）"])[1]
    assert total[header.index("立案数量（行政处罚）")] == 3
    from stats import selectors

    dscope = selectors.dashboard_scope(users["bureau_staff"])
    import datetime

    figures = selectors.case_figures(dscope, 2026, datetime.date(2026, 7, 2))
    assert _rows(wb["行政处罚"])[-1][-1] == float(figures["amount"])


def test_sta_4_export_is_permission_limited(client, users, dept, records):
    accepted_report(users, dept)
    other = DepartmentFactory(region=dept.region, name="另一单位")
    StatReportFactory(department=other, status=ReportStatus.ACCEPTED)
    client.force_login(users["unit_head"])
    wb = load_workbook(
        io.BytesIO(export_content(client, reverse("statistics:county_export") + "?year=2026&period=half"))
    )
    names = [r[0] for r in _rows(wb["培训"])[2:-1]]
    assert names == [dept.name]


def test_sta_4_unit_workbook_structure(client, users, dept, records):
    report = accepted_report(users, dept)
    client.force_login(users["legal_officer"])
    response = client.get(reverse("statistics:report_export", args=[report.pk]))
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["行政处罚"]
    rows = _rows(ws)
    assert rows[1] == ("项目", "填报数", "系统记录数", "差异说明")
    amount = next(r for r in rows if r[0] == "罚没金额（元，本期决定的行政处罚案卷）")
    assert amount[1] == 4700 and amount[2] == 4700
    assert ws.freeze_panes == "B3"
    assert _rows(wb["行政许可"])[2][1] == "无相关职责"


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_sta_4_status_page_and_report_queries_constant(client, users, dept, records):
    report = accepted_report(users, dept)
    client.force_login(users["bureau_staff"])
    url = reverse("statistics:reports") + "?year=2026&period=half"
    detail = reverse("statistics:report", args=[report.pk])
    small, small_detail = _count_queries(client, url), _count_queries(client, detail)
    for i in range(6):
        d = DepartmentFactory(region=dept.region, name=f"加测单位{i}")
        StatReportFactory(department=d, status=ReportStatus.DRAFT)
    PowerItemFactory(department=dept, category=category("coercion"))
    assert _count_queries(client, url) == small
    assert _count_queries(client, detail) == small_detail


def test_home_panel_lists_open_reports(client, users, dept, records):
    services.report_start(department=dept, year=2026, period=Period.HALF_YEAR, by=users["legal_officer"])
    client.force_login(users["legal_officer"])
    assert "待报送的统计报表" in client.get("/").content.decode()


def test_sta_3_difference_visible_to_bureau(client, users, dept, records):
    report = services.report_start(department=dept, year=2026, period=Period.HALF_YEAR, by=users["legal_officer"])
    data = {k: {"value": v} for k, v in CLERK_FIGURES.items()} | {"filed": {"value": "4", "reason": "补录一起"}}
    services.report_figures_save(report=report, by=users["legal_officer"], data=data)
    services.report_submit(report=report, by=users["legal_officer"])
    client.force_login(users["bureau_staff"])
    html = client.get(reverse("statistics:report", args=[report.pk])).content.decode()
    assert "补录一起" in html and "table-warning" in html and "不一致" in html
    assert report.figures.get(key="filed").recorded == Decimal("3")


def test_sta_3_report_opened_by_the_periodic_job_is_started_before_editing(client, users, dept, records):
    services.report_periods_open(today=datetime.date(2026, 7, 2))
    report = StatReport.objects.get(department=dept, year=2026, period=Period.HALF_YEAR)
    assert report.status == ReportStatus.NOT_STARTED
    client.force_login(users["legal_officer"])
    html = client.get(reverse("statistics:report", args=[report.pk])).content.decode()
    assert "尚未开始填报" in html and 'id="report-form"' not in html
    response = client.post(reverse("statistics:report", args=[report.pk]), {"v_filed": "3"}, follow=True)
    assert "请先开始填报" in response.content.decode()
    client.post(reverse("statistics:report_start"), {"department": dept.pk, "year": "2026", "period": "half"})
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.figures.get(key="filed").value == 3
