"""security.md Input "XSS … a Content-Security-Policy header": the main pages load in headless
Chromium under the strict policy (no 'unsafe-inline') without a single CSP violation — home,
case list, case detail, review form, statistics dashboard (ECharts), tolerance list, public
certificates."""

from __future__ import annotations

import pytest

from reviews import services as review_services
from reviews.tests.factories import reviewable_file
from tests.factories import PASSWORD, CaseFileFactory
from tests.test_browser import ARTIFACTS, _chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Records every violation the page reports (init scripts run outside the page's CSP).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} blocked=${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def pages(users, dept, settings):
    settings.RATELIMIT_ENABLED = False
    case = CaseFileFactory(department=dept, title="销售过期食品案")
    review = review_services.self_review_start(case_file=reviewable_file(dept), by=users["legal_officer"])
    return {
        "username": users["legal_officer"].username,
        "leader": users["leader"].username,
        "signed_in": [
            ("home", "/"),
            ("case-list", "/cases/"),
            ("case-detail", f"/cases/{case.pk}/"),
            ("review-form", f"/reviews/self/{review.pk}/edit/"),
            ("tolerance-list", "/tolerance/"),
        ],
        "leader_pages": [("dashboard", "/statistics/dashboard/")],
        "public": [("public-certificates", "/public/certificates/"), ("publications", "/tolerance/publications/")],
    }


def _visit(page, url, name, problems, expect_selector=None):
    messages: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            messages.append(message.text)

    page.on("console", on_console)
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{name}: {response.status if response else None}"
    assert "default-src 'self'" in response.headers.get("content-security-policy", "")
    page.wait_for_load_state("networkidle")
    if expect_selector:
        page.wait_for_selector(expect_selector)
    page.wait_for_timeout(300)
    violations = page.evaluate("window.__csp")
    page.remove_listener("console", on_console)
    for v in [*violations, *messages]:
        problems.append(f"{name}: {v}")
    page.screenshot(path=str(ARTIFACTS / f"csp-{name}.png"), full_page=True)


def _context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    context.add_init_script(RECORD_VIOLATIONS)
    return context


def _sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def test_input_csp_no_violations_on_main_pages(live_server, pages):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    base = live_server.url
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_chromium(),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            anonymous = _context(browser).new_page()
            for name, path in pages["public"]:
                _visit(anonymous, base + path, name, problems)
            _visit(anonymous, base + "/accounts/login/", "login", problems)

            page = _context(browser).new_page()
            _sign_in(page, base, pages["username"])
            for name, path in pages["signed_in"]:
                _visit(page, base + path, name, problems)

            leader = _context(browser).new_page()
            _sign_in(leader, base, pages["leader"])
            for name, path in pages["leader_pages"]:
                _visit(leader, base + path, name, problems, expect_selector="canvas")
            # The recorder works: an inline style attribute set from script is reported.
            leader.evaluate("document.body.setAttribute('style', 'color: red')")
            leader.wait_for_timeout(300)
            assert any("style-src" in v for v in leader.evaluate("window.__csp")), "violation recorder is deaf"
        finally:
            browser.close()
    assert not problems, "CSP violations:\n" + "\n".join(problems)
