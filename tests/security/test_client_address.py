"""Sign-in behind the documented reverse proxy (issue 13, "Bad input and abuse"; security.md
"Authentication" lockout and "Input" rate limits).

Every request reaches gunicorn from nginx's address. The client address is taken from the proxy's
header only when the request comes from a configured trusted proxy (docs/deploy/xian.env.example),
so eleven bad sign-ins from one client lock out that client, not every user of the county; and a
client talking to gunicorn directly cannot choose its own address with a forged header.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import PASSWORD
from xian_enforcement.audit.choices import EventType
from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.hardening.checks import client_ip_behind_proxy
from xian_enforcement.hardening.client_address import client_ip

pytestmark = pytest.mark.django_db

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "deploy" / "xian.env.example"
PROXY = "127.0.0.1"  # nginx on the same machine (docs/deploy/nginx-xian.conf)
CLIENT_A = "203.0.113.10"
CLIENT_B = "203.0.113.20"


def deploy_example_settings() -> dict[str, str]:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip()
    return values


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def behind_proxy(settings):
    """The settings of the deploy example: nginx's address trusted, X-Real-IP the client header."""
    env = deploy_example_settings()
    settings.TRUSTED_PROXIES = [p.strip() for p in env["TRUSTED_PROXIES"].split(",")]
    settings.CLIENT_IP_HEADER = env["CLIENT_IP_HEADER"]
    return settings


def sign_in(client, username, password, *, remote, real_ip=None):
    extra = {"REMOTE_ADDR": remote}
    if real_ip is not None:
        extra["HTTP_X_REAL_IP"] = real_ip
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_deploy_example_sets_trusted_proxy_and_header():
    env = deploy_example_settings()
    assert PROXY in env["TRUSTED_PROXIES"].split(",")
    assert env["CLIENT_IP_HEADER"] == "HTTP_X_REAL_IP"
    assert "proxy_set_header X-Real-IP         $remote_addr;" in (ENV_EXAMPLE.parent / "nginx-xian.conf").read_text()


def test_eleven_bad_sign_ins_behind_proxy_do_not_lock_out_another_client(behind_proxy, users):
    """The original bug: every request came from the proxy's address, so eleven bad sign-ins from
    one client tripped the per-IP sign-in limit (and the lockout) for the whole county."""
    username = users["handler"].username
    attacker = Client()
    statuses = [
        sign_in(attacker, username, "Wrong-Passw0rd!", remote=PROXY, real_ip=CLIENT_A).status_code for _ in range(11)
    ]
    assert statuses[:4] == [200] * 4  # the form again
    assert set(statuses[4:]) == {429}  # client A is locked out / rate limited
    # Another client of the same user, through the same proxy: signs in.
    colleague = Client()
    response = sign_in(colleague, username, PASSWORD, remote=PROXY, real_ip=CLIENT_B)
    assert response.status_code == 302
    assert colleague.session.get(SESSION_KEY) == str(users["handler"].pk)
    # And another user from another client is not rate limited either.
    other = Client()
    assert (
        sign_in(other, users["legal_officer"].username, PASSWORD, remote=PROXY, real_ip="203.0.113.30").status_code
        == 302
    )
    # The lockout row names client A, not the proxy.
    lockout = AuditEvent.objects.filter(event_type=EventType.LOCKOUT).get()
    assert lockout.detail["ip"] == CLIENT_A


def test_spoofed_header_from_untrusted_peer_is_ignored(behind_proxy, users):
    """A client reaching gunicorn directly (not from a trusted proxy) cannot escape the lockout by
    sending a new X-Real-IP with every attempt: its own address is what counts."""
    username = users["handler"].username
    direct = Client()
    statuses = [
        sign_in(direct, username, "Wrong-Passw0rd!", remote="198.51.100.7", real_ip=f"192.0.2.{n}").status_code
        for n in range(1, 7)
    ]
    assert statuses[:4] == [200] * 4
    assert statuses[4:] == [429, 429]
    assert sign_in(direct, username, PASSWORD, remote="198.51.100.7", real_ip="192.0.2.99").status_code == 429
    # The audit rows record the socket's address, not the forged one.
    failures = AuditEvent.objects.filter(event_type=EventType.LOGIN_FAILED)
    assert failures.exists()
    assert set(failures.values_list("ip", flat=True)) == {"198.51.100.7"}


def test_spoofed_header_without_any_trusted_proxy_is_ignored(settings, users):
    """Default settings (no proxy configured): the header is never believed."""
    settings.TRUSTED_PROXIES = []
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_REAL_IP="192.0.2.1")
    assert client_ip(request) == "198.51.100.7"


def test_audit_rows_and_auditlog_use_the_same_client_address(behind_proxy, settings, users):
    """Every reader of the client address goes through one function: audit events and
    django-auditlog's LogEntry.remote_addr alike (auditlog's own middleware believes any
    X-Forwarded-For)."""
    from xian_enforcement.audit.middleware import XianAuditlogMiddleware

    assert "xian_enforcement.audit.middleware.XianAuditlogMiddleware" in settings.MIDDLEWARE
    assert "auditlog.middleware.AuditlogMiddleware" not in settings.MIDDLEWARE
    sign_in(Client(), users["handler"].username, "Wrong-Passw0rd!", remote=PROXY, real_ip=CLIENT_A)
    assert AuditEvent.objects.filter(event_type=EventType.LOGIN_FAILED).latest("pk").ip == CLIENT_A
    forged = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_REAL_IP": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "192.0.2.2"}
    assert XianAuditlogMiddleware._get_remote_addr(RequestFactory().get("/", **forged)) == "198.51.100.7"
    proxied = {"REMOTE_ADDR": PROXY, "HTTP_X_REAL_IP": CLIENT_B, "HTTP_X_FORWARDED_FOR": "192.0.2.2"}
    assert XianAuditlogMiddleware._get_remote_addr(RequestFactory().get("/", **proxied)) == CLIENT_B


@pytest.mark.parametrize(
    ("remote", "header", "expected"),
    [
        ("127.0.0.1", "203.0.113.5", "203.0.113.5"),
        ("127.0.0.1", "203.0.113.5, 10.0.0.3", "203.0.113.5"),  # inner proxy skipped
        ("127.0.0.1", "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # client-written left entry ignored
        ("127.0.0.1", "not-an-ip", "127.0.0.1"),  # malformed: believe only the socket
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", "[2001:db8::1]:443", "2001:db8::1"),
        ("198.51.100.7", "203.0.113.5", "198.51.100.7"),  # not a trusted proxy
    ],
)
def test_client_ip_reads_forwarded_chain_from_the_right(settings, remote, header, expected):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected


def test_deploy_check_warns_behind_proxy_without_trusted_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = []
    settings.CLIENT_IP_HEADER = ""
    assert [w.id for w in client_ip_behind_proxy(None)] == ["hardening.W001"]
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert [w.id for w in client_ip_behind_proxy(None)] == ["hardening.W001"]
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_ip_behind_proxy(None) == []
    settings.SECURE_PROXY_SSL_HEADER = None
    settings.TRUSTED_PROXIES = []
    assert client_ip_behind_proxy(None) == []
