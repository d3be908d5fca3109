"""REV-7 browser journey (Playwright + Debian chromium): a legal officer reviews a file with a
live score, both heads sign as themselves, the handler sees the notice in the inbox and opens
it (reading recorded)."""

from __future__ import annotations

import pytest

from reviews.models import ReviewNotice, SelfReview
from tests.factories import PASSWORD
from tests.test_browser import ARTIFACTS, _chromium

from .factories import reviewable_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def journey(users, dept):
    case = reviewable_file(dept, main_handler=users["handler"].officer, title="销售过期食品案")
    return {
        "case": case,
        "users": {k: users[k].username for k in ("legal_officer", "legal_head", "unit_head", "handler")},
    }


def test_rev_7_review_sign_and_notice_journey(live_server, journey):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    case = journey["case"]
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_chromium(),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )

        def login(username):
            page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN").new_page()
            page.goto(f"{live_server.url}/accounts/login/?next=/reviews/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/reviews/")
            return page

        try:
            page = login(journey["users"]["legal_officer"])
            page.locator("#review-table button", has_text="开始自查").click()
            page.wait_for_url("**/edit/")
            rows = page.locator("input[name^=deduct_]")
            rows.nth(2).fill("4")
            expect(page.locator("#score-value")).to_have_text("96")
            page.locator("input[name^=reason_]").nth(11).fill("询问笔录无当事人签名")
            page.fill("#problems_procedure", "询问笔录无当事人签名")
            page.screenshot(path=str(ARTIFACTS / "review-form.png"), full_page=True)
            page.click("button[value=submit]")
            page.wait_for_url("**/self/*/")
            expect(page.locator("body")).to_contain_text("自查记录已提交")

            for role, label in (("legal_head", "法制机构负责人"), ("unit_head", "执法机构负责人")):
                head = login(journey["users"][role])
                head.locator("#sign-table a", has_text="查看并签署").click()
                head.click(f"text=以{label}身份签署")
                expect(head.locator("body")).to_contain_text("已签署")
            expect(head.locator("body")).to_contain_text("记录已锁定")
            head.screenshot(path=str(ARTIFACTS / "review-signed.png"), full_page=True)

            handler = login(journey["users"]["handler"])
            handler.goto(f"{live_server.url}/inbox/")
            expect(handler.locator("body")).to_contain_text(f"评查结果通知书：{case.number}")
            handler.click("button:has-text('去处理')")
            handler.wait_for_url("**/notice/")
            expect(handler.locator("body")).to_contain_text("已记录您阅读评查结果通知书的时间")
            handler.screenshot(path=str(ARTIFACTS / "review-notice.png"), full_page=True)
        finally:
            browser.close()
    review = SelfReview.objects.get(case_file=case)
    assert review.is_locked and review.score == 96
    assert ReviewNotice.objects.get(review=review).read_at is not None
