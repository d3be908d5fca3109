"""security.md "Authentication": rows "Idle timeout (b)" and "Session lifecycle"."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD
from xian_enforcement.accounts.testing import form_login

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Brand-New-Pass9"


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_idle_31_minutes_sends_to_login(users):
    """Idle timeout: 30 min sliding; advance 31 minutes → the next request goes to the login page."""
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        form_login(client, users["handler"].username, PASSWORD)
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        assert is_login_redirect(client.get(reverse("home")))


def test_idle_timeout_slides_with_activity(users):
    """Idle timeout is sliding: 29 minutes, a request, 29 minutes more → still signed in."""
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        form_login(client, users["handler"].username, PASSWORD)
    with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=58), tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=89), tick=False):
        assert is_login_redirect(client.get(reverse("home")))


def test_session_key_changes_at_login(users):
    """Session lifecycle: a new session key at login (no session fixation)."""
    client = Client()
    client.get(reverse("login"))
    session = client.session
    session["pre_login"] = 1
    session.save()
    before = session.session_key
    assert form_login(client, users["handler"].username, PASSWORD).status_code == 302
    after = client.session.session_key
    assert after and after != before


def test_logout_kills_the_session(users):
    """Session lifecycle: logout deletes the session; the old key no longer authenticates."""
    client = Client()
    form_login(client, users["handler"].username, PASSWORD)
    old_key = client.session.session_key
    client.post(reverse("logout"))
    thief = Client()
    thief.cookies["sessionid"] = old_key
    assert is_login_redirect(thief.get(reverse("home")))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=old_key).exists()


def test_password_change_logs_out_other_sessions_keeps_current(users):
    """Session lifecycle: a password change ends the user's other sessions (two clients), not this one."""
    user = users["handler"]
    here, elsewhere = Client(), Client()
    form_login(here, user.username, PASSWORD, ip="10.0.0.1")
    form_login(elsewhere, user.username, PASSWORD, ip="10.0.0.2")
    assert elsewhere.get(reverse("home")).status_code == 200
    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert here.get(reverse("home")).status_code == 200
    assert here.session[SESSION_KEY] == str(user.pk)
    assert is_login_redirect(elsewhere.get(reverse("home")))


def test_no_password_reset_flow_exists():
    """Session lifecycle: password-reset tokens — the platform has no self-service reset flow
    (accounts are reset by the system administrator), so there is no token to reuse."""
    from django.urls import NoReverseMatch

    for name in ("password_reset", "password_reset_confirm"):
        with pytest.raises(NoReverseMatch):
            reverse(name)


def test_absolute_lifetime_ends_an_active_session_after_twelve_hours(users, settings):
    """Issue 13: beside the 30-minute idle timeout, a session ends SESSION_ABSOLUTE_SECONDS (12 h)
    after sign-in however active it is."""
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        form_login(client, users["handler"].username, PASSWORD)
    step = datetime.timedelta(minutes=25)
    at = start
    while at + step < start + datetime.timedelta(hours=12):
        at += step
        with time_machine.travel(at, tick=False):
            assert client.get(reverse("home")).status_code == 200, at - start
    with time_machine.travel(start + datetime.timedelta(hours=12), tick=False):
        assert is_login_redirect(client.get(reverse("home")))
        assert SESSION_KEY not in client.session
    # Signing in again starts a new lifetime.
    with time_machine.travel(start + datetime.timedelta(hours=12, minutes=1), tick=False):
        assert form_login(client, users["handler"].username, PASSWORD).status_code == 302
        assert client.get(reverse("home")).status_code == 200


def test_absolute_lifetime_is_a_setting(users, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 3600
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        form_login(client, users["handler"].username, PASSWORD)
    with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=58), tick=False):
        assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=61), tick=False):
        assert is_login_redirect(client.get(reverse("home")))
