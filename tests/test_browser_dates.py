"""Browser (Playwright driving Debian's chromium): prefilled dates survive a real submission
(issue 13, "workflow defects"). The browser dropped the zh-hans value ``2026/01/01`` of an
``<input type="date">``: the inspection and the correction order then failed with "必填"."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from reviews.models import InspectionCampaign
from tests.factories import PASSWORD
from tests.test_browser import _chromium
from tolerance.choices import CorrectionStatus
from tolerance.models import CorrectionOrder
from tolerance.tests.factories import decide, investigating

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def people(users):
    """Created before the browser starts (no database work inside the sync Playwright block)."""
    order = decide(users, investigating(users)).correction
    return {"bureau": users["bureau_staff"].username, "legal": users["legal_officer"].username, "order": order.pk}


def test_prefilled_dates_survive_submission_in_the_browser(live_server, people):
    from playwright.sync_api import expect, sync_playwright

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

            # Inspection creation (REV-10): only the text fields are typed, the dates are prefilled.
            page = login(people["bureau"])
            page.goto(f"{base}/reviews/inspections/")
            expect(page.locator("input[name=period_start]")).not_to_have_value("")
            expect(page.locator("input[name=seed_date]")).not_to_have_value("")
            page.fill("input[name=public_value]", "2026-03-02 上证综指收盘 3245.12")
            page.click("text=创建并公布种子")
            page.wait_for_load_state()
            expect(page.locator("body")).not_to_contain_text("必填")

            # Correction order (TOL-17): the deadline is prefilled.
            page = login(people["legal"])
            page.goto(f"{base}/tolerance/corrections/{people['order']}/")
            expect(page.locator("input[name=due_date]")).not_to_have_value("")
            page.fill("textarea[name=items]", "补正查封决定书")
            page.fill("textarea[name=requirements]", "十五日内补正")
            page.click("#issue")
            page.wait_for_load_state()
            expect(page.locator("body")).not_to_contain_text("必填")
        finally:
            browser.close()

    today = timezone.localdate()
    campaign = InspectionCampaign.objects.get()
    assert (campaign.period_start, campaign.period_end) == (datetime.date(today.year, 1, 1), today)
    order = CorrectionOrder.objects.get(pk=people["order"])
    assert order.status != CorrectionStatus.DRAFT and order.due_date > today
