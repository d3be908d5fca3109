"""Test helpers: log a user in the way the rest of the suite expects.

Administrator roles must pass TOTP two-factor (security.md "Authentication", row "Two-factor for
administrators"). Tests that are not about two-factor use :func:`login` (or the ``client`` fixture of
the project conftest, whose ``force_login`` does the same) so an administrator's session is already
OTP-verified.
"""

from __future__ import annotations

from django.test import Client


def user_has_admin_role(user) -> bool:
    from xian_enforcement.org.scoping import ADMIN_ROLES

    return user.groups.filter(name__in=[str(role) for role in ADMIN_ROLES]).exists()


def confirmed_device_for(user):
    """The user's confirmed TOTP device, created if they have none."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return device


def mark_otp_verified(client, user) -> None:
    """Mark the client's session OTP-verified with the user's (created if needed) device."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = confirmed_device_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def login(client, user, backend: str | None = None) -> None:
    """``client.force_login(user)``; for administrator roles also an OTP-verified session."""
    Client.force_login(client, user, backend=backend)
    if user_has_admin_role(user):
        mark_otp_verified(client, user)


def form_login(client, username: str, password: str, ip: str = "10.1.1.1"):
    """Sign in through the real login form (axes sees the request and the client IP)."""
    from django.urls import reverse

    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def login_request(path: str = "/accounts/login/"):
    """A request for ``authenticate(request=...)``: django-axes needs one to key its lockout."""
    from django.test import RequestFactory

    return RequestFactory().post(path)


class OTPClient(Client):
    """A test client for the suite: ``force_login`` and ``login`` also pass two-factor for
    administrator roles, and ``login`` hands axes the request it requires."""

    def force_login(self, user, backend=None):
        login(self, user, backend=backend)

    def login(self, **credentials):
        credentials.setdefault("request", login_request())
        if not super().login(**credentials):
            return False
        user = self._logged_in_user()
        if user is not None and user_has_admin_role(user):
            mark_otp_verified(self, user)
        return True

    def _logged_in_user(self):
        from django.contrib.auth import SESSION_KEY, get_user_model

        pk = self.session.get(SESSION_KEY)
        return get_user_model()._default_manager.filter(pk=pk).first() if pk is not None else None
