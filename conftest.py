"""Project-wide pytest fixtures: a county with two departments and one user per role."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, DepartmentFactory, OfficerFactory, RegionFactory, UserFactory, certified_officer
from xian_enforcement.org.choices import DepartmentKind, Role


def pytest_collection_modifyitems(config, items):
    """Every transactional test restores the database it found (``serialized_rollback=True``).

    A transactional test with serialized rollback leaves the database empty behind it (content
    types and role groups included) for the next one to restore; a plain ``transaction=True``
    test that follows it in the same worker starts on an empty database and fails in set-up, and
    every later one fails with it. Refused at collection, naming the test."""
    bad = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            bad.append(item.nodeid)
    if bad:
        raise pytest.UsageError(
            "transactional tests must also set serialized_rollback=True (see conftest.py): " + ", ".join(bad)
        )


@pytest.fixture(autouse=True)
def _test_settings(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    # PBKDF2 at production strength costs ~0.3 s per user; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test process gets its own in-memory cache even when REDIS_URL is set: the xdist
    # workers would otherwise share one Redis database (same ids, same keys), and a cache.clear()
    # in one would flush the Celery queues another worker's services test is using.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}


@pytest.fixture
def client():
    """pytest-django's ``client``, but administrator roles pass two-factor on ``force_login`` and
    ``login`` (xian_enforcement.accounts.testing; security.md "Authentication"). Tests proving
    two-factor enforcement use a plain ``django.test.Client``."""
    from xian_enforcement.accounts.testing import OTPClient

    return OTPClient()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def region():
    return RegionFactory()


@pytest.fixture
def dept(region):
    return DepartmentFactory(
        region=region, name="隰县市场监督管理局", short_name="市场监管局", kind=DepartmentKind.COUNTY_DEPARTMENT
    )


@pytest.fixture
def other_dept(region):
    return DepartmentFactory(region=region, name="龙泉镇", short_name="龙泉镇", kind=DepartmentKind.TOWNSHIP)


@pytest.fixture
def bureau(region):
    return DepartmentFactory(region=region, name="隰县司法局", short_name="司法局", kind=DepartmentKind.BUREAU)


@pytest.fixture
def users(dept, bureau, region):
    """One user per role. Department roles are in ``dept``; bureau staff and the review group in
    the bureau; leaders and administrators have a county profile with no department."""
    people = {}
    for role in (Role.HANDLER, Role.LEGAL_OFFICER, Role.LEGAL_HEAD, Role.UNIT_HEAD, Role.PARTY_MEMBER):
        people[role.value] = certified_officer(dept, roles=[role.value], name=f"{role.label}甲").user
    for role in (Role.BUREAU_STAFF, Role.REVIEW_GROUP):
        people[role.value] = certified_officer(bureau, roles=[role.value], name=f"{role.label}乙").user
    for role in (Role.LEADER, Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN):
        user = UserFactory(roles=[role.value], username=f"u_{role.value}")
        OfficerFactory(user=user, department=None, region=region, name=f"{role.label}丙", is_enforcement_officer=False)
        people[role.value] = user
    people["nobody"] = UserFactory(username="u_nobody")
    return people
