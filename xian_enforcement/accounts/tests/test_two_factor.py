"""security.md "Authentication", row "Two-factor for administrators (d)": TOTP (django-otp) is
required for the three administrator roles and for the admin site. These tests use a plain
django.test.Client (not the suite's OTPClient) to prove enforcement."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD
from xian_enforcement.accounts.testing import OTPClient, form_login, login
from xian_enforcement.audit.choices import EventType
from xian_enforcement.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def test_password_only_admin_session_cannot_reach_audit_or_admin_site(users):
    """Two-factor: a password-only auditadmin session is sent to enrolment for /audit/ and /admin/."""
    client = Client()
    assert form_login(client, users["auditadmin"].username, PASSWORD).status_code == 302
    for url in (reverse("audit:list"), "/admin/", reverse("home")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("otp_setup") + "?next="), url
    # Non-GET requests are refused rather than redirected.
    assert client.post(reverse("audit:list")).status_code == 403


def test_enrolment_page_shows_qr_svg_and_secret_without_inline_script_or_style(users):
    """Two-factor enrolment page: inline SVG QR code, base32 secret, no inline script/style (CSP)."""
    client = Client()
    form_login(client, users["sysadmin"].username, PASSWORD)
    html = client.get(reverse("otp_setup")).content.decode()
    device = TOTPDevice.objects.get(user=users["sysadmin"], confirmed=False)
    assert "<svg" in html and "<path" in html
    import base64

    secret = base64.b32encode(device.bin_key).decode()
    assert secret[:4] in html and secret[-4:] in html
    main = html.split('id="main"', 1)[1]
    assert "style=" not in main
    assert "<script" not in main.split("</main>")[0]
    assert "启用双因素认证" in html


def test_enrolment_then_audit_page_reachable(users):
    """Two-factor: after enrolling (first code), the auditadmin reaches /audit/; OTP_ENROLLED audited."""
    client = Client()
    user = users["auditadmin"]
    form_login(client, user.username, PASSWORD)
    client.get(reverse("otp_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("otp_setup"), {"code": code_for(device), "next": reverse("audit:list")})
    assert response.status_code == 302 and response["Location"] == reverse("audit:list")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("audit:list")).status_code == 200
    assert AuditEvent.objects.filter(event_type=EventType.OTP_ENROLLED, user=user).count() == 1


def test_verify_then_admin_site_reachable_and_wrong_code_audited(users):
    """Two-factor: an enrolled admin is asked for a code; a wrong one writes one OTP_FAILED row;
    the right one opens /audit/ (auditadmin)."""
    user = users["auditadmin"]
    device = enrolled(user)
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        form_login(client, user.username, PASSWORD)
        response = client.get(reverse("audit:list"))
        assert response["Location"].startswith(reverse("otp_verify") + "?next=")
        wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
        page = client.post(reverse("otp_verify"), {"code": wrong})
        assert page.status_code == 200
        assert "动态口令不正确" in page.content.decode()
        assert AuditEvent.objects.filter(event_type=EventType.OTP_FAILED, user=user).count() == 1
    # django-otp throttles after a failure (1 s, doubling): wait it out.
    with time_machine.travel(start + datetime.timedelta(seconds=31), tick=False):
        device.refresh_from_db()
        ok = client.post(reverse("otp_verify"), {"code": code_for(device), "next": reverse("audit:list")})
        assert ok.status_code == 302 and ok["Location"] == reverse("audit:list")
        assert client.get(reverse("audit:list")).status_code == 200


def test_sysadmin_reaches_admin_site_only_after_verifying(users):
    """Two-factor: the admin site (system administrator's desk) needs an OTP-verified session."""
    user = users["sysadmin"]
    device = enrolled(user)
    client = Client()
    with time_machine.travel(timezone.now(), tick=False):
        form_login(client, user.username, PASSWORD)
        response = client.get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith(reverse("otp_verify"))
        ok = client.post(reverse("otp_verify"), {"code": code_for(device), "next": "/admin/"})
        assert ok["Location"] == "/admin/"
        assert client.get("/admin/").status_code == 200


def test_replayed_code_is_refused(users):
    """Two-factor: a code (time step) already used is refused on replay (TOTPDevice.last_t)."""
    user = users["secadmin"]
    device = enrolled(user)
    with time_machine.travel(timezone.now(), tick=False):
        code = code_for(device)
        first = Client()
        form_login(first, user.username, PASSWORD, ip="10.0.0.1")
        assert first.post(reverse("otp_verify"), {"code": code}).status_code == 302
        second = Client()
        form_login(second, user.username, PASSWORD, ip="10.0.0.2")
        replay = second.post(reverse("otp_verify"), {"code": code})
        assert replay.status_code == 200
        assert "已使用过" in replay.content.decode()
        assert second.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))


def test_enrolment_refused_once_a_device_is_confirmed(users):
    """Two-factor: an unverified session cannot enrol a second device to bypass the first."""
    user = users["sysadmin"]
    enrolled(user)
    client = Client()
    form_login(client, user.username, PASSWORD)
    response = client.get(reverse("otp_setup"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_verify"))
    assert TOTPDevice.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("role", ["handler", "legal_officer", "leader", "bureau_staff", "review_group"])
def test_non_admin_roles_not_asked_for_a_code(users, role):
    """Two-factor is for administrators only: other roles reach normal pages with a password."""
    client = Client()
    form_login(client, users[role].username, PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("cases:list")).status_code == 200


def test_non_admin_role_entering_admin_site_needs_a_code(users):
    """Two-factor: anyone requesting /admin/ needs an OTP-verified session."""
    user = users["handler"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    form_login(client, user.username, PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_setup"))


def test_logout_and_language_switch_exempt(users):
    """Two-factor: signing out and the language switch work before verification."""
    client = Client()
    form_login(client, users["sysadmin"].username, PASSWORD)
    assert client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_suite_helpers_mark_admin_sessions_verified(users):
    """accounts.testing: login() and the suite client's force_login/login pass two-factor."""
    for client in (Client(), OTPClient()):
        if isinstance(client, OTPClient):
            client.force_login(users["auditadmin"])
        else:
            login(client, users["auditadmin"])
        assert client.get(reverse("audit:list")).status_code == 200
    other = OTPClient()
    assert other.login(username=users["auditadmin"].username, password=PASSWORD)
    assert other.get(reverse("audit:list")).status_code == 200
    assert TOTPDevice.objects.filter(user=users["auditadmin"], confirmed=True).count() == 1


def test_otp_reset_command_removes_devices_and_is_audited(users):
    """Two-factor: a lost phone — `manage.py otp_reset <username>` removes the devices (audited);
    the next sign-in goes to enrolment again."""
    from django.core.management import call_command

    user = users["secadmin"]
    enrolled(user)
    call_command("otp_reset", user.username, "--reason", "手机丢失")
    assert not TOTPDevice.objects.filter(user=user).exists()
    row = AuditEvent.objects.get(event_type=EventType.ACCOUNT, detail__action="otp_reset")
    assert row.detail["devices"] == 1
    client = Client()
    form_login(client, user.username, PASSWORD)
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_setup"))
