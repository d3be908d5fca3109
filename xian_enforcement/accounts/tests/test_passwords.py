"""security.md "Authentication": rows "Unique accounts; password complexity" and "Periodic change"."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, UserFactory
from xian_enforcement.accounts.models import PasswordState
from xian_enforcement.accounts.testing import login
from xian_enforcement.accounts.validators import ComplexityValidator
from xian_enforcement.audit.choices import EventType
from xian_enforcement.audit.models import AuditEvent

NEW_PASSWORD = "Brand-New-Pass9"

REJECTED = [
    ("Ab1!short", "too short"),
    ("alllowercaseletters", "one class"),
    ("lowercase123456", "two classes: lower + digit"),
    ("lowercase!!!!!!", "two classes: lower + symbol"),
    ("UPPERCASE123456", "two classes: upper + digit"),
    ("LowerUpperOnly", "two classes: lower + upper"),
    ("Zhangsan-2026", "contains the username"),
    ("ZHANGSAN-x9y8", "contains the username, other case"),
]
ACCEPTED = [
    "Tr0ub4dor-horse",  # four classes
    "correcthorse9Battery",  # lower + upper + digit
    "summer-rain-2026",  # lower + symbol + digit
    "执法监督Platform",  # non-ASCII counts as a symbol: symbol + upper + lower
    PASSWORD,  # the test fixtures' password
    "Demo-2026-xian!",  # seed_demo's default
]


@pytest.mark.parametrize(("password", "why"), REJECTED)
def test_complexity_validator_rejects_known_set(password, why):
    """security.md Authentication "password complexity": ≥ 10 chars, 3 of 4 classes, not the username."""
    user = get_user_model()(username="zhangsan")
    with pytest.raises(ValidationError) as excinfo:
        ComplexityValidator().validate(password, user)
    assert excinfo.value.messages, why
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in excinfo.value.messages), "messages in Chinese"


@pytest.mark.parametrize("password", ACCEPTED)
def test_complexity_validator_accepts_known_set(password):
    """security.md Authentication "password complexity": accepted set — by the complexity
    validator and by the whole configured chain (Django's common/similar/numeric checks included)."""
    user = get_user_model()(username="zhangsan")
    assert ComplexityValidator().validate(password, user) is None
    assert validate_password(password, user) is None


@pytest.mark.django_db
def test_configured_validators_include_complexity_and_django_defaults():
    """security.md Authentication: Django's similarity/common/numeric validators stay configured."""
    user = get_user_model()(username="lisi", email="lisi@example.org")
    with pytest.raises(ValidationError, match="3 类"):
        validate_password("onlylowercase1", user)
    with pytest.raises(ValidationError):
        validate_password("1234567890123", user)  # numeric + too simple
    with pytest.raises(ValidationError):
        validate_password("lisi@example.org", user)  # similar to the e-mail
    with pytest.raises(ValidationError):
        validate_password("Password123", user)  # common password
    validate_password("Quiet-River-42", user)


@pytest.mark.django_db
def test_password_state_set_on_creation_and_every_set_password():
    """security.md Authentication "Periodic change": PasswordState follows every password set."""
    with time_machine.travel(datetime.datetime(2026, 1, 1, 9, tzinfo=datetime.UTC), tick=False):
        user = UserFactory(username="pw_state")
    state = PasswordState.objects.get(user=user)
    assert state.changed_at == datetime.datetime(2026, 1, 1, 9, tzinfo=datetime.UTC)
    assert state.must_change is False
    with time_machine.travel(datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC), tick=False):
        user.set_password(NEW_PASSWORD)
        user.save()
    state.refresh_from_db()
    assert state.changed_at == datetime.datetime(2026, 3, 1, 9, tzinfo=datetime.UTC)
    # Saving without a new password leaves it alone.
    with time_machine.travel(datetime.datetime(2026, 4, 1, 9, tzinfo=datetime.UTC), tick=False):
        user.first_name = "x"
        user.save()
    state.refresh_from_db()
    assert state.changed_at.month == 3


@pytest.mark.django_db
def test_expired_password_forces_change_page_then_pages_work(client, users, settings):
    """security.md Authentication "Periodic change": time-travel past PASSWORD_MAX_AGE_DAYS → the
    change page; after changing, pages work again."""
    settings.PASSWORD_MAX_AGE_DAYS = 180
    user = users["legal_officer"]
    start = timezone.now()
    with time_machine.travel(start + datetime.timedelta(days=179), tick=False):
        client.force_login(user)
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(days=181), tick=False):
        client.force_login(user)
        response = client.get(reverse("cases:list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("password_change") + "?next=")
        # Non-GET requests are refused outright.
        assert client.post(reverse("notices:mark_all_read")).status_code == 403
        page = client.get(reverse("password_change"))
        assert page.status_code == 200
        assert "天未修改" in page.content.decode()
        done = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert done.status_code == 302, done.content.decode()[:2000]
        assert client.get(reverse("cases:list")).status_code == 200
    assert PasswordState.objects.get(user=user).changed_at >= start + datetime.timedelta(days=181)


@pytest.mark.django_db
def test_zero_max_age_disables_periodic_change(client, users, settings):
    """security.md Authentication "Periodic change": 0 disables."""
    settings.PASSWORD_MAX_AGE_DAYS = 0
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3650), tick=False):
        client.force_login(users["handler"])
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_account_created_by_sysadmin_must_change_temporary_password_at_first_login(client, users):
    """security.md Authentication "Periodic change": a temporary password set by the system
    administrator must be changed at first login (PasswordState.must_change)."""
    # The system administrator creates the account inside a request (as any admin page does).
    from xian_enforcement.accounts.middleware import _acting_request
    from xian_enforcement.org.services import user_create

    class _Request:
        user = users["sysadmin"]

    token = _acting_request.set(_Request())
    try:
        new = user_create(username="new_officer", password="Temp-Pass-2026", roles=["handler"])
    finally:
        _acting_request.reset(token)
    assert PasswordState.objects.get(user=new).must_change is True

    assert client.login(username="new_officer", password="Temp-Pass-2026")
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("password_change"))
    assert "临时密码" in client.get(reverse("password_change")).content.decode()
    client.post(
        reverse("password_change"),
        {"old_password": "Temp-Pass-2026", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert PasswordState.objects.get(user=new).must_change is False
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_self_created_or_command_created_accounts_are_not_temporary():
    """security.md Authentication: accounts made outside a signed-in request (fixtures, seed_demo,
    createsuperuser) do not get the temporary flag."""
    user = UserFactory(username="plain_user")
    assert PasswordState.objects.get(user=user).must_change is False


@pytest.mark.django_db
def test_password_change_writes_one_audit_row_and_updates_state(client, users):
    """security.md Authentication "Session lifecycle": password change audited once (PASSWORD_CHANGED)."""
    user = users["handler"]
    login(client, user)
    before = PasswordState.objects.get(user=user).changed_at
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5), tick=False):
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
    assert response.status_code == 302
    rows = AuditEvent.objects.filter(event_type=EventType.PASSWORD_CHANGED)
    assert rows.count() == 1
    assert rows.get().user == user
    assert PasswordState.objects.get(user=user).changed_at > before


@pytest.mark.django_db
def test_password_change_rejects_weak_password_in_chinese(client, users):
    """security.md Authentication "password complexity" at the change form."""
    login(client, users["handler"])
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "weakpassword", "new_password2": "weakpassword"},
    )
    assert response.status_code == 200
    assert "四类中的 3 类" in response.content.decode()
    assert not AuditEvent.objects.filter(event_type=EventType.PASSWORD_CHANGED).exists()


@pytest.mark.django_db
def test_short_password_gets_one_length_message():
    """security.md Authentication "password complexity": the length rule is stated once, in Chinese."""
    with pytest.raises(ValidationError) as excinfo:
        validate_password("Ab1!xyzq", get_user_model()(username="wangwu"))
    length = [e for e in excinfo.value.error_list if e.code == "password_too_short"]
    assert len(length) == 1
    assert "10 个字符" in length[0].messages[0]


@pytest.mark.django_db
def test_password_reset_by_sysadmin_makes_it_temporary_and_ends_sessions(client, users):
    """security.md Authentication "Periodic change": a password reset by the system administrator
    (/manage/accounts/<pk>/password/) is temporary, and the user's open session ends."""
    from django.test import Client

    victim = users["handler"]
    victim_client = Client()
    login(victim_client, victim)
    assert victim_client.get(reverse("home")).status_code == 200
    login(client, users["sysadmin"])
    response = client.post(reverse("manage:account_reset_password", args=[victim.pk]))
    assert response.status_code == 200  # the temporary password is shown once, on this page
    victim.refresh_from_db()
    assert victim.check_password(response.context["password"])
    assert PasswordState.objects.get(user=victim).must_change is True
    assert victim_client.get(reverse("home"))["Location"].startswith(reverse("login"))
