"""Issue 13 "Passwords": a new password equal to the current one or one of the last five is
refused, and a temporary password set by the system administrator cannot be kept."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from xian_enforcement.accounts.models import PasswordHistory, PasswordState
from xian_enforcement.accounts.testing import login
from xian_enforcement.org.services_accounts import account_reset_password

pytestmark = pytest.mark.django_db

SIX = [f"Quiet-River-{n}x" for n in range(1, 7)]


def change(client, old, new):
    return client.post(reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


def reused_error(response) -> bool:
    return response.status_code == 200 and "不能与当前密码或最近 5 次使用过的密码相同" in response.content.decode()


def test_new_password_equal_to_current_is_refused(client, users):
    login(client, users["handler"])
    response = change(client, PASSWORD, PASSWORD)
    assert reused_error(response)


def test_one_of_last_five_refused_sixth_back_allowed(client, users):
    """Five changes later the first password is one of the last five: refused. After a sixth
    change it is the sixth back: accepted again. Only six hashes are kept per user."""
    user = users["handler"]
    login(client, user)
    current = PASSWORD
    for new in SIX[:5]:
        assert change(client, current, new).status_code == 302
        current = new
    # current = SIX[4]; the five before it: SIX[3..0] and PASSWORD.
    for old in (PASSWORD, SIX[0], SIX[3]):
        assert reused_error(change(client, current, old)), old
    assert change(client, current, SIX[5]).status_code == 302
    current = SIX[5]
    assert reused_error(change(client, current, SIX[0]))
    assert change(client, current, PASSWORD).status_code == 302  # six changes ago: allowed
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert PasswordHistory.objects.filter(user=user).count() == 6


def test_validator_checks_hashes_not_plain_text(users):
    user = users["handler"]
    with pytest.raises(ValidationError) as excinfo:
        validate_password(PASSWORD, user)
    assert [e.code for e in excinfo.value.error_list] == ["password_reused"]
    assert all(not h.password.startswith(PASSWORD) for h in PasswordHistory.objects.filter(user=user))
    validate_password("Another-Fresh-77", user)


def test_temporary_password_from_sysadmin_cannot_be_kept(users):
    """The system administrator resets the password; at the forced change the user cannot submit
    the temporary password as the new one, and stays on the change page until they choose another."""
    victim = users["handler"]
    temporary = account_reset_password(by=users["sysadmin"], user=victim)
    client = Client()
    client.post(reverse("login"), {"username": victim.username, "password": temporary}, REMOTE_ADDR="10.9.9.9")
    assert client.get(reverse("home"))["Location"].startswith(reverse("password_change"))
    response = change(client, temporary, temporary)
    assert reused_error(response)
    assert PasswordState.objects.get(user=victim).must_change is True
    assert client.get(reverse("home"))["Location"].startswith(reverse("password_change"))
    # The password before the reset is also one of the last five.
    assert reused_error(change(client, temporary, PASSWORD))
    assert change(client, temporary, "Brand-New-Pass9").status_code == 302
    assert PasswordState.objects.get(user=victim).must_change is False
    assert client.get(reverse("home")).status_code == 200
