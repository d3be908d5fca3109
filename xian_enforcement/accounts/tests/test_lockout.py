"""security.md "Authentication", row "Login-failure lockout (b)": 5 failures → 15 minutes, keyed
on username AND IP. The locked-out response is HTTP 429 with a Chinese page giving the retry time."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD
from xian_enforcement.accounts.testing import form_login
from xian_enforcement.audit.choices import EventType
from xian_enforcement.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

OFFICE_IP = "10.20.0.7"


def fail(client, username, times, ip=OFFICE_IP):
    for _ in range(times):
        response = form_login(client, username, "Wrong-Passw0rd!", ip=ip)
    return response


def test_five_failures_lock_out_even_the_correct_password(users, settings):
    """Lockout: the correct password is refused while locked (429, Chinese page with retry time)."""
    assert settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    username = users["handler"].username
    assert fail(client, username, 4).status_code == 200  # the form again, not yet locked
    locked = fail(client, username, 1)
    assert locked.status_code == 429
    response = form_login(client, username, PASSWORD, ip=OFFICE_IP)
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    html = response.content.decode()
    assert "暂时锁定" in html
    assert "之后再试" in html


def test_lockout_page_names_retry_time_fifteen_minutes_after_last_failure(users):
    """Lockout page: the retry time shown is the fifth failure + LOGIN_LOCKOUT_MINUTES."""
    start = timezone.now().replace(second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        response = fail(Client(), users["handler"].username, 5)
    retry = timezone.localtime(start + datetime.timedelta(minutes=15))
    assert f"{retry:%H:%M}" in response.content.decode()
    assert "15 分钟" in response.content.decode()


def test_same_username_from_another_ip_is_not_locked(users):
    """Lockout is keyed on username AND IP: a county NAT / another PC is not locked out."""
    username = users["handler"].username
    fail(Client(), username, 5, ip=OFFICE_IP)
    other = Client()
    response = form_login(other, username, PASSWORD, ip="10.20.0.8")
    assert response.status_code == 302
    assert other.session[SESSION_KEY] == str(users["handler"].pk)


def test_other_user_behind_same_ip_is_not_locked(users):
    """Lockout is keyed on username AND IP: a colleague behind the same NAT can still sign in."""
    fail(Client(), users["handler"].username, 5, ip=OFFICE_IP)
    response = form_login(Client(), users["legal_officer"].username, PASSWORD, ip=OFFICE_IP)
    assert response.status_code == 302


def test_login_works_after_cool_off(users):
    """Lockout: works again after the 15-minute cool-off (time-machine)."""
    username = users["handler"].username
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(Client(), username, 5)
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert form_login(Client(), username, PASSWORD, ip=OFFICE_IP).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        client = Client()
        assert form_login(client, username, PASSWORD, ip=OFFICE_IP).status_code == 302
        assert client.session[SESSION_KEY] == str(users["handler"].pk)


def test_lockout_audited_exactly_once(users):
    """Lockout writes one LOCKOUT audit row, however many attempts are refused while locked."""
    client = Client()
    username = users["handler"].username
    fail(client, username, 8)
    form_login(client, username, PASSWORD, ip=OFFICE_IP)
    rows = AuditEvent.objects.filter(event_type=EventType.LOCKOUT)
    assert rows.count() == 1
    row = rows.get()
    assert row.username == username
    assert row.ip == OFFICE_IP
    assert row.detail["failures"] == 5


def test_lockout_settings_are_env_overridable():
    """LOGIN_FAILURE_LIMIT and LOGIN_LOCKOUT_MINUTES feed the axes settings."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "LOGIN_FAILURE_LIMIT": "7", "LOGIN_LOCKOUT_MINUTES": "30", "PASSWORD_MAX_AGE_DAYS": "0"}
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'xian_enforcement.settings'); "
        "from django.conf import settings as s; "
        "print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()), s.PASSWORD_MAX_AGE_DAYS)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["7", "1800", "0"]


def test_suite_client_login_still_works_with_axes(client, users):
    """Axes requires ``request`` in authenticate(): the suite's client.login passes one."""
    assert client.login(username=users["handler"].username, password=PASSWORD)
    assert not client.login(username=users["handler"].username, password="nope")
