"""Browser journey (Playwright, Debian's chromium): a clerk starts and submits the unit's
report, the bureau accepts it and exports the county workbook, a leader opens the dashboard and
drills down to the case list (STA-2, STA-4, STA-5.3). Screenshots go to test-artifacts/."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from openpyxl import load_workbook

from stats.views_reports import default_period
from tests.factories import PASSWORD
from tests.test_browser import ARTIFACTS, _chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def journey(users, dept, other_dept):
    return {
        "clerk": users["legal_officer"].username,
        "bureau": users["bureau_staff"].username,
        "leader": users["leader"].username,
        "dept": dept.name,
    }


def _login(browser, url, username):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN").new_page()
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def _run_export_jobs_as_the_worker() -> list[str]:
    """Run the queued export jobs (no worker runs in tests), in a thread of its own: Playwright's
    sync API keeps an event loop in this one, where Django refuses database calls."""
    from django.db import connection

    from xian_enforcement.jobs.models import ExportJob
    from xian_enforcement.jobs.services import export_job_run

    def run():
        try:
            return [
                export_job_run(pk).status
                for pk in ExportJob.objects.filter(status="pending").values_list("pk", flat=True)
            ]
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def test_sta_2_sta_4_clerk_submits_bureau_accepts_and_exports_leader_drills_down(live_server, journey):
    from django.utils import timezone
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    year, period = default_period(timezone.localdate())
    query = f"?year={year}&period={period}"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_chromium(),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = _login(browser, live_server.url, journey["clerk"])
            page.goto(f"{live_server.url}/statistics/reports/{query}")
            page.click("#unit-status button:has-text('开始填报')")
            page.wait_for_url("**/statistics/reports/*/")
            expect(page.locator("#table-personnel")).to_contain_text("执法人员数")
            page.click("button:has-text('报送县司法局')")
            expect(page.locator("body")).to_contain_text("报表已报送县司法局")

            page = _login(browser, live_server.url, journey["bureau"])
            page.goto(f"{live_server.url}/statistics/reports/{query}")
            page.click("#unit-status a:has-text('审核')")
            page.click("button:has-text('审核通过')")
            expect(page.locator("body")).to_contain_text("计入全县汇总")
            page.goto(f"{live_server.url}/statistics/reports/{query}")
            expect(page.locator("#aggregate")).to_contain_text("已审核 1 个单位")
            # County-wide, the workbook is made in the background: the link leads to
            # the job's progress page, queued; the job runs as the worker would run it, and the
            # page, polling, offers the download.
            page.click("a:has-text('导出全县汇总表')")
            page.wait_for_url("**/jobs/*/")
            expect(page.locator("#job-progress")).to_contain_text("排队中")
            assert _run_export_jobs_as_the_worker() == ["done"]
            with page.expect_download() as info:
                page.click("#job-progress a:has-text('下载 Excel')")
            target = ARTIFACTS / "statistics-county.xlsx"
            info.value.save_as(target)
            wb = load_workbook(target)
            rows = list(wb["执法人员与持证"].iter_rows(values_only=True))
            assert rows[2][0] == journey["dept"] and rows[-1][0] == "合计"

            page = _login(browser, live_server.url, journey["leader"])
            page.goto(f"{live_server.url}/statistics/dashboard/")
            expect(page.locator("#headline")).to_contain_text("立案")
            page.screenshot(path=str(ARTIFACTS / "statistics-dashboard.png"), full_page=True)
            page.locator("#headline a").first.click()
            page.wait_for_url("**/cases/?year=*")
        finally:
            browser.close()
