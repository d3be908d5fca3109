"""Issue 13 "No 500s": a NUL byte in any search or filter parameter gives 400, on every page.

PostgreSQL refuses ``\\x00`` in a text parameter ("A string literal cannot contain NUL"), so a
search box or filter value carrying one ended in a server error. The walk opens every URL of the
project as a user who may see it, reads the names of its GET forms (searches and filters), and
sends ``\\x00`` in each of them and in the common list parameters: every answer is 400.
"""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from xian_enforcement.accounts.testing import OTPClient

from .urlwalk import endpoints

pytestmark = pytest.mark.django_db

COMMON = ("q", "page", "sort", "year", "period", "status", "department", "category", "unit", "kind")
ROLES = ("legal_officer", "bureau_staff", "review_group", "sysadmin", "secadmin", "auditadmin", "handler")
SKIP = {"logout", "admin:logout", "set_language"}
GET_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
FIELD_NAME = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)


def get_form_names(html: str) -> set[str]:
    names: set[str] = set()
    for form in GET_FORM.findall(html):
        head = form[: form.index(">") + 1].lower()
        if 'method="post"' in head:
            continue
        names.update(unescape(n) for n in FIELD_NAME.findall(form))
    names.discard("csrfmiddlewaretoken")
    return names


def test_nul_byte_in_any_get_parameter_is_400_on_every_page(world):
    clients = {}
    for role in ROLES:
        clients[role] = OTPClient()
        clients[role].force_login(world.users[role])
    walked, with_forms = 0, 0
    failures = []
    for endpoint in endpoints(world):
        if endpoint.name in SKIP or endpoint.name.startswith("admin:"):
            continue
        names: set[str] = set()
        client = clients["legal_officer"]
        for role in ROLES:
            response = clients[role].get(endpoint.path)
            if response.status_code == 200:
                client = clients[role]
                if "html" in response.get("Content-Type", ""):
                    names = get_form_names(response.content.decode())
                break
        with_forms += bool(names)
        for name in sorted(names | set(COMMON)):
            walked += 1
            status = client.get(endpoint.path, {name: "龙泉\x00镇"}).status_code
            if status != 400:
                failures.append(f"{endpoint.name} ?{name}=\\x00 → {status}")
        # A NUL in a parameter's name, too.
        if client.get(endpoint.path + "?q%00=1").status_code != 400:
            failures.append(f"{endpoint.name} NUL in a parameter name")
    assert not failures, "\n".join(failures)
    assert walked > 500 and with_forms >= 10, (walked, with_forms)


def test_nul_byte_on_public_page_is_400_with_a_chinese_message(client):
    response = client.get(reverse("public:certificates"), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "无效字符" in response.content.decode()


def test_case_list_search_with_nul_is_400_not_500(client, users):
    client.force_login(users["legal_officer"])
    assert client.get(reverse("cases:list"), {"q": "罚\x00款"}).status_code == 400
    assert client.get(reverse("cases:list"), {"q": "罚款"}).status_code == 200
