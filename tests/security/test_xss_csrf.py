"""security.md "Input": XSS — hostile strings render escaped on every page, the public pages
included; CSRF on every state-changing view (Client(enforce_csrf_checks=True)), with the Chinese
CSRF failure page of settings.CSRF_FAILURE_VIEW."""

from __future__ import annotations

import csv
import json

import pytest
from django.apps import apps
from django.test import Client

from .access import ROLES, client_for, quiet_and_fast, request
from .test_access import MATRIX_PATH
from .urlwalk import endpoints
from .world import XSS, XSS_MARKERS, plant_payload

pytestmark = pytest.mark.django_db

# Who opens each page in the XSS walk: every role that can see something, anonymous for the
# public pages, the audit administrator for the audit log.
XSS_ROLES = [
    "anonymous",
    "bureau_staff",
    "review_group",
    "legal_officer",
    "legal_head",
    "unit_head",
    "handler",
    "party_member",
    "leader",
    "auditadmin",
    "sysadmin",
    "secadmin",
]
SKIPPED_TYPES = ("application/pdf", "application/vnd.openxmlformats", "application/octet-stream")


def test_input_xss_payload_is_escaped_on_every_page(world):
    """security.md Input "XSS: hostile strings render escaped, the public page included": the
    payload is stored in every free-text field of the world, then every URL is opened (GET) by
    each role; no HTML or JSON body contains it unescaped."""
    planted = plant_payload(world)
    assert planted >= 40, planted
    pages = endpoints(world)
    found, escaped_seen, checked = [], set(), 0
    with quiet_and_fast():
        for role in XSS_ROLES:
            client = client_for(world, role)
            for endpoint in pages:
                if endpoint.name.startswith("admin:") and role not in ("sysadmin", "secadmin"):
                    continue
                response = request(client, "GET", endpoint.path)
                content_type = response.get("Content-Type", "")
                if response.status_code != 200 or content_type.startswith(SKIPPED_TYPES):
                    continue
                if getattr(response, "streaming", False):
                    continue
                body = response.content.decode("utf-8", errors="replace")
                checked += 1
                for marker in XSS_MARKERS:
                    if marker in body:
                        found.append(f"{role} {endpoint.name} ({endpoint.path}): {marker!r} unescaped")
                if content_type.startswith("application/json"):
                    json.loads(body)  # valid JSON, and the markers were checked above
                if "&lt;script&gt;alert(" in body or "&lt;img src=x onerror" in body:
                    escaped_seen.add(endpoint.name)
    assert not found, "\n".join(found)
    assert checked > 150, checked
    # The payload really was on the pages (escaped), the public certificate list included.
    for name in ("public:certificates", "cases:detail", "cases:list", "tolerance:application", "tolerance:complaint"):
        assert name in escaped_seen, f"{name} did not show the (escaped) payload"
    assert len(escaped_seen) >= 30, sorted(escaped_seen)


def test_input_xss_payload_escaped_on_public_certificates_for_anonymous(world, client):
    plant_payload(world)
    body = client.get("/public/certificates/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body or "&lt;img src=x onerror" in body
    assert XSS not in body and '<script>alert("x")' not in body


def allowed_poster() -> dict[str, str]:
    """url name → a role whose POST is allowed (access "ok") in the committed matrix."""
    chosen: dict[str, str] = {}
    with MATRIX_PATH.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["method"] == "POST"]
    order = {role: i for i, role in enumerate(ROLES)}
    for row in sorted(rows, key=lambda r: order.get(r["role"], 99)):
        if row["access"] == "ok" and row["url_name"] not in chosen:
            chosen[row["url_name"]] = row["role"]
    return chosen


def fingerprint() -> dict[str, list]:
    """Every row of every model (but sessions, the audit trail and login-attempt logs)."""
    skip_apps = {"sessions", "audit", "axes", "auditlog", "admin", "contenttypes", "django_celery_beat"}
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in skip_apps or model._meta.proxy:
            continue
        state[model._meta.label] = list(model._base_manager.order_by("pk").values_list())
    return state


def test_input_csrf_every_post_without_token_is_refused(world):
    """security.md Input "CSRF on every state-changing view": a POST without the token, by a
    user the view would otherwise let through (from the committed matrix), is 403 with the
    CSRF page, and nothing in the database changes."""
    posters = allowed_poster()
    pages = endpoints(world)
    assert len(posters) > 40, "the matrix lists the allowed POSTs"
    clients = {role: client_for(world, role, enforce_csrf_checks=True) for role in set(posters.values())}
    before = fingerprint()
    wrong, tried = [], 0
    with quiet_and_fast():
        for endpoint in pages:
            role = posters.get(endpoint.name)
            if role is None:
                continue
            response = clients[role].post(endpoint.path, {"title": "x", "text": "x", "reason": "x"})
            tried += 1
            body = response.content.decode("utf-8", errors="replace")
            if response.status_code != 403 or "CSRF" not in body or "页面已过期" not in body:
                wrong.append(f"{role} POST {endpoint.name} → {response.status_code}")
    assert not wrong, "POST without a CSRF token accepted:\n" + "\n".join(wrong)
    assert tried == len({e.name for e in pages} & set(posters))
    after = fingerprint()
    changed = [label for label in before if before[label] != after[label]]
    assert not changed, f"a refused POST changed {changed}"


def test_input_csrf_failure_page_is_chinese(client, users):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "页面已过期，请刷新后重试" in body
    assert "Content-Security-Policy" in response.headers
