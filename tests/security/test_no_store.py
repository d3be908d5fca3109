"""Issue 13: every page, export and PDF served to a signed-in user carries
``Cache-Control: no-store`` (a shared or public computer's browser cache keeps no case data)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xian_enforcement.accounts.testing import OTPClient

from .urlwalk import endpoints

pytestmark = pytest.mark.django_db

ROLES = ("legal_officer", "bureau_staff", "review_group", "sysadmin", "secadmin", "auditadmin", "handler")
SKIP = {"logout", "admin:logout"}


def test_every_signed_in_response_is_no_store(world):
    clients = {}
    for role in ROLES:
        clients[role] = OTPClient()
        clients[role].force_login(world.users[role])
    kinds: dict[str, int] = {}
    failures = []
    for endpoint in endpoints(world):
        if endpoint.name in SKIP:
            continue
        for role in ROLES:
            response = clients[role].get(endpoint.path)
            cache_control = response.get("Cache-Control", "")
            if "no-store" not in cache_control:
                failures.append(f"{endpoint.name} as {role}: {response.status_code} Cache-Control={cache_control!r}")
            if response.status_code == 200:
                kind = response.get("Content-Type", "").split(";")[0]
                kinds[kind] = kinds.get(kind, 0) + 1
                break
    assert not failures, "\n".join(failures[:40])
    # The walk reached pages, spreadsheets and PDFs.
    assert kinds.get("text/html", 0) > 40
    assert kinds.get("application/pdf", 0) >= 2
    assert kinds.get("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 0) >= 3


def test_anonymous_public_pages_and_static_files_may_be_cached(client):
    response = Client().get(reverse("public:certificates"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
