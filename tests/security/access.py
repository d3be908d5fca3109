"""Request every endpoint as every role and reduce the answer to an access decision.

Each request runs inside ``transaction.atomic`` with ``set_rollback(True)``, and the client's
cookies are restored afterwards, so a POST (or a sign-out) does not change what the next request
sees. Rate limits are switched off by the caller (they are tested on their own)."""

from __future__ import annotations

import contextlib
import copy
import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from xian_enforcement.org.choices import Role

from .urlwalk import Endpoint
from .world import World

try:  # administrators must be OTP-verified (security.md "Two-factor for administrators")
    from xian_enforcement.accounts.testing import login as _login
except ImportError:  # pragma: no cover - before the accounts app existed

    def _login(client, user):
        client.force_login(user)


ROLES = ["anonymous", "nobody", *[r.value for r in Role], "foreign_legal_officer"]
METHODS = ("GET", "POST")


def login_paths() -> tuple[str, ...]:
    return (reverse(settings.LOGIN_URL), reverse("admin:login"))


def status_class(response, login_urls: tuple[str, ...]) -> str:
    code = response.status_code
    if 300 <= code < 400:
        location = response.get("Location", "")
        path = location.split("?", 1)[0]
        if any(path.endswith(u) for u in login_urls):
            return "login"
        return "ok"
    if 200 <= code < 300:
        return "ok"
    return str(code)


def client_for(world: World, role: str, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    if role != "anonymous":
        _login(client, world.users[role])
    return client


def request(client: Client, method: str, path: str, data=None):
    saved = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(path)
            else:
                response = client.post(path, data or {})
            transaction.set_rollback(True)
    finally:
        client.cookies = saved
    return response


@contextlib.contextmanager
def quiet_and_fast():
    """During a walk: no traceback logging of the thousands of expected 403/404s (formatting
    them doubled the walk's time), and WeasyPrint's layout replaced by a stub PDF — the access
    decision is taken before the PDF is drawn, and the PDFs have their own tests."""
    import weasyprint

    names = ("django.request", "django.security.csrf", "axes", "axes.handlers.database", "weasyprint")
    levels = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.CRITICAL)
    original = weasyprint.HTML.write_pdf
    weasyprint.HTML.write_pdf = lambda self, *args, **kwargs: STUB_PDF
    try:
        yield
    finally:
        weasyprint.HTML.write_pdf = original
        for n, level in levels.items():
            logging.getLogger(n).setLevel(level)


STUB_PDF = b"%PDF-1.4\n%stub\n%%EOF\n"


def walk(
    world: World,
    endpoints: Iterable[Endpoint],
    roles: Iterable[str] = ROLES,
    methods: Iterable[str] = METHODS,
    timings: dict | None = None,
) -> dict[tuple[str, str, str], str]:
    """(role, url name, method) → status class for every combination."""
    login_urls = login_paths()
    endpoints = list(endpoints)
    result = {}
    for role in roles:
        client = client_for(world, role)
        for endpoint in endpoints:
            for method in methods:
                started = time.perf_counter()
                response = request(client, method, endpoint.path)
                result[(role, endpoint.name, method)] = status_class(response, login_urls)
                if timings is not None:
                    timings[(role, endpoint.name, method)] = time.perf_counter() - started
    return result
