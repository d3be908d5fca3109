"""security.md "Input": a Content-Security-Policy and the other security headers on every
response; rate limits on sign-in and public pages (429, audited once per window)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from xian_enforcement.audit.choices import EventType
from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.hardening.middleware import parse_rate

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def csp_directives(header: str) -> dict[str, str]:
    parts = [p.strip() for p in header.split(";") if p.strip()]
    return {p.split(" ", 1)[0]: p.split(" ", 1)[1] if " " in p else "" for p in parts}


@pytest.mark.parametrize("path_name", ["login", "home", "public:certificates", "cases:list", "no-such-page"])
def test_input_csp_and_security_headers_on_every_response(client, users, path_name):
    """security.md Input "XSS … a Content-Security-Policy header": CSP without 'unsafe-inline',
    Permissions-Policy, COOP, X-Frame-Options DENY, nosniff and Referrer-Policy on pages,
    redirects and 404s alike."""
    client.force_login(users["legal_officer"])
    path = "/no-such-page/" if path_name == "no-such-page" else reverse(path_name)
    response = client.get(path)
    directives = csp_directives(response["Content-Security-Policy"])
    for directive, value in EXPECTED_CSP.items():
        assert directives[directive] == value, directive
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_access_static_files_are_public_with_headers(client, settings):
    """security.md Access control: static assets are on the public allow-list (served by
    WhiteNoise before any view) and carry the same headers."""
    settings.WHITENOISE_USE_FINDERS = True  # tests run without collectstatic
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_input_csp_header_on_anonymous_redirect(client):
    response = client.get(reverse("cases:list"))
    assert response.status_code == 302
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_input_rate_limit_parse():
    assert parse_rate("10/m") == (10, 60)
    assert parse_rate("60/m") == (60, 60)
    assert parse_rate("1000/h") == (1000, 3600)
    assert parse_rate("5/10s") == (5, 10)


def _rate_limited_rows():
    return AuditEvent.objects.filter(event_type=EventType.RATE_LIMITED)


class _Clock:
    def __init__(self, start: float):
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = _Clock(1_800_000_000.0)  # the start of a 60-second window
    monkeypatch.setattr("xian_enforcement.hardening.middleware.time.time", fake)
    return fake


def test_input_rate_limit_login_post(client, settings, clock, users, password):
    """security.md Input "Rate limits on login": the N+1th sign-in POST from one IP in a window
    is 429 with a Chinese and English page; one audit row per window; the next window works;
    another IP is unaffected."""
    settings.RATELIMIT_LOGIN = "3/m"
    url = reverse("login")
    data = {"username": "nobody-here", "password": "wrong"}
    for _ in range(3):
        assert client.post(url, data, REMOTE_ADDR="10.0.0.1").status_code == 200  # form errors
    refused = client.post(url, data, REMOTE_ADDR="10.0.0.1")
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "请求过于频繁" in body and "Too many requests" in body
    assert int(refused["Retry-After"]) <= 60
    # Even the right password is refused while the window lasts.
    right = {"username": users["handler"].username, "password": password}
    assert client.post(url, right, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.post(url, data, REMOTE_ADDR="10.0.0.1").status_code == 429
    rows = list(_rate_limited_rows())
    assert len(rows) == 1, "one RATE_LIMITED row per window, not per refused request"
    assert rows[0].detail["bucket"] == "login" and rows[0].detail["ip"] == "10.0.0.1"
    assert rows[0].ip == "10.0.0.1"
    # Another client IP is unaffected.
    assert client.post(url, data, REMOTE_ADDR="10.0.0.2").status_code == 200
    # GET of the sign-in page is a public page, not a sign-in attempt.
    assert client.get(url, REMOTE_ADDR="10.0.0.1").status_code == 200
    # The next window works again.
    clock.now += 60
    assert client.post(url, right, REMOTE_ADDR="10.0.0.1").status_code == 302
    client.logout()
    for _ in range(3):
        client.post(url, data, REMOTE_ADDR="10.0.0.1")
    assert client.post(url, data, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert _rate_limited_rows().count() == 2  # a new window, a new row


@pytest.mark.parametrize("url_name", ["public:certificates", "tolerance:publications"])
def test_input_rate_limit_public_pages(client, settings, clock, url_name):
    """security.md Input "Rate limits on … public pages": RATELIMIT_PUBLIC per client IP."""
    settings.RATELIMIT_PUBLIC = "5/m"
    url = reverse(url_name)
    for _ in range(5):
        assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 200
    refused = client.get(url, REMOTE_ADDR="192.0.2.7")
    assert refused.status_code == 429
    assert "Too many requests" in refused.content.decode()
    assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 429
    assert _rate_limited_rows().count() == 1
    assert client.get(url, REMOTE_ADDR="192.0.2.8").status_code == 200
    clock.now += 60
    assert client.get(url, REMOTE_ADDR="192.0.2.7").status_code == 200


def test_input_rate_limit_public_is_shared_across_public_pages(client, settings, clock):
    settings.RATELIMIT_PUBLIC = "4/m"
    for _ in range(2):
        assert client.get(reverse("public:certificates"), REMOTE_ADDR="192.0.2.9").status_code == 200
        assert client.get(reverse("tolerance:publications"), REMOTE_ADDR="192.0.2.9").status_code == 200
    assert client.get(reverse("public:certificates"), REMOTE_ADDR="192.0.2.9").status_code == 429


def test_input_rate_limit_ignores_signed_in_pages(client, settings, clock, users):
    settings.RATELIMIT_PUBLIC = "2/m"
    client.force_login(users["legal_officer"])
    for _ in range(5):
        assert client.get(reverse("cases:list"), REMOTE_ADDR="192.0.2.10").status_code == 200


def test_input_rate_limit_behind_proxy_header(client, settings, clock):
    settings.RATELIMIT_PUBLIC = "2/m"
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]  # the test client's REMOTE_ADDR, the inner proxy
    url = reverse("public:certificates")
    for _ in range(2):
        assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.5, 10.0.0.1").status_code == 200
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.5, 10.0.0.1").status_code == 429
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.6, 10.0.0.1").status_code == 200


def test_input_rate_limit_can_be_disabled(client, settings, clock):
    settings.RATELIMIT_PUBLIC = "1/m"
    settings.RATELIMIT_ENABLED = False
    for _ in range(3):
        assert client.get(reverse("public:certificates")).status_code == 200
