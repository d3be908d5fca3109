"""Browser journey (Playwright driving Debian's chromium): a legal officer logs in, filters the
case list, opens a case and sees its timeline. Screenshots are saved under test-artifacts/."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import PASSWORD, CaseFileFactory, category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM_CANDIDATES = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"]


def _chromium() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    if not found:
        pytest.fail("Debian's chromium is required for browser tests: apt-get install chromium (make test does it)")
    return found


@pytest.fixture
def journey_data(users, dept, other_dept):
    """Created before the browser starts: database work inside the sync Playwright block would
    raise SynchronousOnlyOperation."""
    return {
        "punishment": CaseFileFactory(
            department=dept,
            title="销售过期食品案",
            filed_on=datetime.date(2026, 3, 2),
            investigated_on=datetime.date(2026, 3, 12),
            decided_on=datetime.date(2026, 3, 25),
        ),
        "licensing": CaseFileFactory(department=dept, title="食品经营许可核查", category=category("licensing")),
        "foreign": CaseFileFactory(department=other_dept, title="外单位案件"),
        "punishment_category": str(category("punishment").pk),
        "username": users["legal_officer"].username,
    }


def test_legal_officer_filters_list_and_opens_timeline(live_server, journey_data):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    data = journey_data
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_chromium(),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN").new_page()
            page.goto(f"{live_server.url}/cases/")
            assert "/accounts/login/" in page.url
            page.fill("input[name=username]", data["username"])
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/cases/")

            table = page.locator("#case-table")
            expect(table).to_contain_text("销售过期食品案")
            expect(table).to_contain_text("食品经营许可核查")
            expect(table).not_to_contain_text("外单位案件")

            page.select_option("#id_category", data["punishment_category"])
            page.click("#case-filter button[type=submit]")
            page.wait_for_url("**category=*")
            expect(table).to_contain_text("销售过期食品案")
            expect(table).not_to_contain_text("食品经营许可核查")
            expect(page.locator(".filter-chip")).to_contain_text("行政处罚")
            page.screenshot(path=str(ARTIFACTS / "case-list.png"), full_page=True)

            page.click("text=" + data["punishment"].number)
            page.wait_for_url(f"**/cases/{data['punishment'].pk}/")
            timeline = page.locator("#timeline")
            expect(timeline).to_contain_text("立案")
            expect(timeline).to_contain_text("2026年3月2日")
            expect(timeline).to_contain_text("2026年3月12日")
            expect(timeline.locator("li.done")).to_have_count(3)
            page.screenshot(path=str(ARTIFACTS / "case-detail.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "case-list.png").stat().st_size > 10_000
    assert (ARTIFACTS / "case-detail.png").stat().st_size > 10_000
