"""Browser journey (Playwright driving Debian's chromium): an officer applies and uploads
evidence, the legal office investigates, a party-group member decides and delivers the decision,
the officer sees the notice, acknowledges it and opens the correction order (TOL-14a/b/c, TOL-16).
Screenshots are saved under test-artifacts/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import PASSWORD
from tolerance.models import Circumstance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _chromium() -> str:
    for candidate in ("/usr/lib/chromium/chromium", "/usr/bin/chromium"):
        if Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    if not found:
        pytest.fail("Debian's chromium is required for browser tests: apt-get install chromium (make test does it)")
    return found


@pytest.fixture
def journey(users):
    """Created before the browser starts (no database work inside the sync Playwright block)."""
    return {
        "handler": users["handler"].username,
        "legal": users["legal_officer"].username,
        "party": users["party_member"].username,
        "cite": str(Circumstance.objects.get(code="TOL-11.5").pk),
    }


def test_officer_applies_office_investigates_party_decides_officer_sees_notice(live_server, journey):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_chromium(),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:

            def login(username):
                page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN").new_page()
                page.goto(f"{base}/accounts/login/")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_load_state()
                return page

            # 1. The officer applies for themself and uploads evidence (TOL-14b, TOL-3).
            officer = login(journey["handler"])
            officer.goto(f"{base}/tolerance/")
            officer.click("text=提出容错免责申请")
            officer.fill("input[name=act_date]", "2026-03-01")
            officer.fill("textarea[name=act]", "检查中临机决断先行登记保存。")
            officer.select_option("select[name=error_category]", "procedure")
            officer.select_option("select[name=field]", "market")
            officer.check(f"input[name=circumstances][value='{journey['cite']}']")
            officer.fill("textarea[name=statement]", "为防止执法风险临机决断。")
            officer.click("button[type=submit]:has-text('保存草稿')")
            officer.wait_for_url("**/tolerance/applications/*/")
            detail_url = officer.url
            officer.set_input_files(
                "#id_file", files=[{"name": "证据.pdf", "mimeType": "application/pdf", "buffer": PDF}]
            )
            officer.click("#evidence button:has-text('上传')")
            expect(officer.locator("#evidence")).to_contain_text("证据.pdf")
            officer.click("#submit-application")
            expect(officer.locator("h1")).to_contain_text("已提交")

            # 2. The legal office investigates.
            legal = login(journey["legal"])
            legal.goto(detail_url)
            legal.fill("textarea[name=findings]", "经调取执法记录仪，情况属实。")
            legal.click("#save-findings")
            expect(legal.locator("h1")).to_contain_text("调查核实中")

            # 3. A party-group member decides (TOL-14a) and delivers the decision (TOL-14c).
            party = login(journey["party"])
            party.goto(detail_url)
            party.click("#decide")
            for name in (
                "facts",
                "legal_basis",
                "subjective",
                "objective",
                "procedure",
                "nature",
                "consequences",
                "recovery",
            ):
                party.fill(f"textarea[name={name}]", "经研判，情况属实。")
            party.check(f"input[name=accepted][value='{journey['cite']}']")
            for i in (1, 2, 3):
                party.check(f"input[name=c{i}]")
                party.fill(f"textarea[name=c{i}_reason]", "符合条件")
            party.check("input[name=veto]")  # the page allows only 不予容错 while the veto is ticked
            expect(party.locator("input[name=outcome][value=exempt]")).to_be_disabled()
            party.uncheck("input[name=veto]")
            party.check("input[name=outcome][value=exempt]")
            party.select_option("select[name=publication_scope]", "public")
            party.screenshot(path=str(ARTIFACTS / "tolerance-decision-form.png"), full_page=True)
            party.click("#save-decision")
            party.wait_for_url(detail_url)
            expect(party.locator("#decision")).to_contain_text("予以免责")
            party.click("#notify")
            expect(party.locator("#notices")).to_contain_text("第 0 日")

            # 4. The officer sees the notice, acknowledges it and opens the correction order (TOL-16).
            officer.goto(detail_url)
            expect(officer.locator("#my-notice")).to_contain_text("予以免责")
            officer.click("#ack")
            expect(officer.locator("#my-notice")).to_contain_text("确认收到")
            expect(officer.locator("#correction-banner")).to_contain_text("草稿")
            officer.screenshot(path=str(ARTIFACTS / "tolerance-officer-notice.png"), full_page=True)
            officer.click("text=查看纠错整改")
            expect(officer.locator("h1")).to_contain_text("纠错整改通知")

            # The decision is public: an anonymous visitor sees it with the name masked (TOL-14d).
            anon = browser.new_context(locale="zh-CN").new_page()
            anon.goto(f"{base}/tolerance/publications/")
            expect(anon.locator("#publication-table")).to_contain_text("予以免责")
            expect(anon.locator("#publication-table")).not_to_contain_text("执法人员甲")
        finally:
            browser.close()
