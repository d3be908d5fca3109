"""security.md "Access control": deny by default, department scoping (404 outside), leaders
read-only, and the committed permission matrix (tests/security/permission_matrix.csv).

One walk requests every URL pattern of the project (django.urls.get_resolver(), admin and i18n
included) with GET and POST as every role — anonymous, "nobody" (signed in, no role), each role of
``Role`` and a legal officer of another department — inside a rolled-back transaction per
request, and the tests below check that result.

Regenerate the matrix after an intended access change:
``python manage.py permission_matrix --write`` (or ``PERMISSION_MATRIX_WRITE=1 pytest
tests/security/test_access.py``), then review the diff."""

from __future__ import annotations

import difflib
import os
import time
from pathlib import Path

import pytest
from django.db import transaction
from django.test.utils import override_settings

from xian_enforcement.hardening.policy import PUBLIC_URL_NAMES
from xian_enforcement.org.middleware import PERSONAL_URL_NAMES

from .access import ROLES, quiet_and_fast, walk
from .urlwalk import HARMLESS_FOR_ANONYMOUS, SIGNED_IN_URL_NAMES, classify, endpoints, patterns
from .world import KWARGS, build_everything

# The marker makes pytest-django create the test database that the module-scoped walk uses.
pytestmark = pytest.mark.django_db

MATRIX_PATH = Path(__file__).with_name("permission_matrix.csv")
HEADER = "role,url_name,method,access"
DENIED = {"login", "403", "404", "405"}


@pytest.fixture(scope="module")
def walked(django_db_setup, django_db_blocker, tmp_path_factory):
    """(role, url name, method) → access class, for every URL pattern; computed once per module."""
    with (
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            MEDIA_ROOT=tmp_path_factory.mktemp("media"),
            CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "matrix"}},
            RATELIMIT_ENABLED=False,
        ),
        django_db_blocker.unblock(),
        transaction.atomic(),
        quiet_and_fast(),
    ):
        from django.db import connection

        assert connection.settings_dict["NAME"] != str(MATRIX_PATH.parents[2] / "var" / "db.sqlite3")
        assert "test" in str(connection.settings_dict["NAME"]) or "memory" in str(connection.settings_dict["NAME"])
        world = build_everything()
        started, cpu_started = time.monotonic(), time.process_time()
        timings = {}
        result = walk(world, endpoints(world), ROLES, timings=timings)
        seconds, cpu_seconds = time.monotonic() - started, time.process_time() - cpu_started
        transaction.set_rollback(True)
    print(f"\npermission walk: {len(result)} requests in {seconds:.1f} s ({cpu_seconds:.1f} s CPU)")
    if os.environ.get("PERMISSION_MATRIX_TIMINGS"):
        from collections import Counter

        by = Counter()
        for (role, name, _method), t in timings.items():
            by[f"role {role}"] += t
            by[f"url {name}"] += t
            by["admin" if name.startswith("admin:") else "site"] += t
        for key, t in by.most_common(40):
            print(f"{t:7.2f} {key}")
    return result


def matrix_lines(result) -> list[str]:
    return [HEADER, *sorted(f"{role},{name},{method},{access}" for (role, name, method), access in result.items())]


def test_access_deny_by_default_every_url_is_classified():
    """security.md Access control "Deny by default": every URL pattern has a class; a new one
    fails here until it is put in the public, signed-in or protected list."""
    unknown = []
    for p in patterns():
        try:
            classify(p.name)
        except AssertionError as exc:
            unknown.append(str(exc))
        if p.kwargs and not p.name.startswith("admin:") and p.name not in KWARGS:
            unknown.append(
                f"{p.name}: path arguments {p.kwargs} have no world object in tests/security/world.py KWARGS"
            )
    assert not unknown, "\n".join(unknown)


def test_access_deny_by_default_anonymous(walked):
    """security.md Access control "Deny by default": anonymous users are sent to the sign-in page
    (or refused 403/404/405) everywhere except the explicit public allow-list."""
    wrong = [
        f"{name} {method} → {access}"
        for (role, name, method), access in sorted(walked.items())
        if role == "anonymous"
        and classify(name) != "public"
        and name not in HARMLESS_FOR_ANONYMOUS
        and access not in DENIED
    ]
    assert not wrong, "anonymous users reach non-public URLs:\n" + "\n".join(wrong)
    opened = {name for (role, name, method), access in walked.items() if role == "anonymous" and access == "ok"}
    assert opened - HARMLESS_FOR_ANONYMOUS <= set(PUBLIC_URL_NAMES)
    assert {"login", "public:certificates", "tolerance:publications"} <= opened


def test_access_deny_by_default_user_without_role(walked):
    """security.md Access control "Deny by default": a signed-in user with no role gets
    403/404/405 or a redirect, never a 200 page, except the personal pages any user may see."""
    wrong = []
    for (role, name, method), access in sorted(walked.items()):
        if role != "nobody" or classify(name) in ("public", "signed_in"):
            continue
        # "ok" here means 2xx or a redirect; only 2xx would expose data, and the walk folds
        # both into "ok" — so a redirect target is checked separately below.
        if access not in DENIED and access != "ok":
            wrong.append(f"{name} {method} → {access}")
    assert not wrong, "\n".join(wrong)


def test_access_deny_by_default_user_without_role_never_gets_a_page(django_db_setup, django_db_blocker, walked):
    """The "ok" answers of the user without a role on protected URLs must be redirects, not 200."""
    from .access import client_for, request

    suspects = sorted(
        name
        for (role, name, method), access in walked.items()
        if role == "nobody" and access == "ok" and classify(name) not in ("public", "signed_in") and method == "GET"
    )
    if not suspects:
        return
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_everything()
        paths = {e.name: e.path for e in endpoints(world)}
        client = client_for(world, "nobody")
        codes = {name: request(client, "GET", paths[name]).status_code for name in suspects}
        transaction.set_rollback(True)
    pages = {name: code for name, code in codes.items() if code == 200}
    assert not pages, f"a user without a role gets pages: {pages}"


def test_access_signed_in_pages_open_to_any_user(walked):
    for name in ("home", "notices:inbox", "password_change"):
        assert walked[("nobody", name, "GET")] == "ok", name
        assert walked[("anonymous", name, "GET")] == "login", name
    assert SIGNED_IN_URL_NAMES.isdisjoint(PUBLIC_URL_NAMES)


def test_access_leaders_read_only(walked):
    """security.md Access control "County leaders are read-only: every non-GET is 403", except
    the personal actions of PERSONAL_URL_NAMES (xian_enforcement/org/middleware.py)."""
    wrong = [
        f"{name} POST → {access}"
        for (role, name, method), access in sorted(walked.items())
        if role == "leader" and method == "POST" and name not in PERSONAL_URL_NAMES and access != "403"
    ]
    assert not wrong, "leaders can POST:\n" + "\n".join(wrong)
    assert walked[("leader", "cases:list", "GET")] == "ok"


def test_access_out_of_scope_objects_are_404(walked):
    """security.md Access control "Department scoping": a legal officer of another department
    gets 404 (never a page) on the department's case, attachment, review and application."""
    for name in ("cases:detail", "cases:edit", "cases:attachment_download", "reviews:detail", "tolerance:application"):
        assert walked[("legal_officer", name, "GET")] == "ok", name
        assert walked[("foreign_legal_officer", name, "GET")] == "404", name


def test_access_permission_matrix_is_committed(walked):
    """security.md Access control: the role × URL × method matrix is committed; any change of
    an access decision shows up here as a diff."""
    lines = matrix_lines(walked)
    text = "\n".join(lines) + "\n"
    if os.environ.get("PERMISSION_MATRIX_WRITE") == "1":
        MATRIX_PATH.write_text(text, encoding="utf-8")
        return
    committed = MATRIX_PATH.read_text(encoding="utf-8") if MATRIX_PATH.exists() else ""
    if committed != text:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                text.splitlines(keepends=True),
                "committed permission_matrix.csv",
                "current access",
                n=0,
            )
        )
        pytest.fail(
            "access changed: update the matrix with `python manage.py permission_matrix --write` if intended\n"
            + diff[:20000]
        )
