"""Authentication middleware (security.md "Authentication").

``TwoFactorMiddleware``: the three administrator roles, and anyone entering the admin site, need an
OTP-verified session (django-otp TOTP). ``PasswordAgeMiddleware``: a temporary or expired password
must be changed before anything else. Both redirect GET requests and refuse other methods (403),
and leave alone signing out, the language switch, static files and their own pages.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from xian_enforcement.org.scoping import ADMIN_ROLES, scope_for

SAFE_METHODS = {"GET", "HEAD"}
ALWAYS_EXEMPT = {"logout", "set_language", "otp_setup", "otp_verify", "javascript-catalog"}
PASSWORD_EXEMPT = ALWAYS_EXEMPT | {"password_change", "password_change_done"}

_acting_request: ContextVar = ContextVar("xian_acting_request", default=None)


def acting_user():
    """The signed-in user of the request being served, if any (for model signal receivers)."""
    request = _acting_request.get()
    if request is None:
        return None
    return getattr(request, "user", None)


def _is_exempt(request, names: set[str]) -> bool:
    if request.path.startswith(settings.STATIC_URL):
        return True
    match = request.resolver_match
    return match is not None and match.view_name in names


def _redirect_or_refuse(request, url_name: str, message: str):
    if request.method in SAFE_METHODS:
        url = reverse(url_name)
        return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
    raise PermissionDenied(message)


def needs_two_factor(request) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    if request.path.startswith(reverse("admin:index")):
        return True
    return scope_for(user).has(*ADMIN_ROLES)


class TwoFactorMiddleware:
    """Place after ``django_otp.middleware.OTPMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not needs_two_factor(request) or request.user.is_verified():
            return None
        if _is_exempt(request, ALWAYS_EXEMPT):
            return None
        from django_otp import devices_for_user

        has_device = any(True for _d in devices_for_user(request.user, confirmed=True))
        return _redirect_or_refuse(
            request,
            "otp_verify" if has_device else "otp_setup",
            _("管理员账号须完成双因素认证（动态口令）后才能继续操作。"),
        )


def password_change_reason(request) -> str | None:
    """``"temporary"``, ``"expired"`` or None for the signed-in user of ``request``."""
    from . import services

    session = request.session
    if services.SESSION_CHANGED_AT not in session:
        services.password_state_to_session(session, services.password_state_get(request.user))
    if session.get(services.SESSION_MUST_CHANGE):
        return "temporary"
    max_age_days = int(getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0) or 0)
    if max_age_days > 0 and time.time() - int(session[services.SESSION_CHANGED_AT]) > max_age_days * 86400:
        return "expired"
    return None


class PasswordAgeMiddleware:
    """Expired (PASSWORD_MAX_AGE_DAYS) or temporary passwords send the user to the change page.
    Also remembers the request being served, so that a password set by another signed-in user
    can be flagged temporary (``signals.record_password_state``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _acting_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _acting_request.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or _is_exempt(request, PASSWORD_EXEMPT):
            return None
        if password_change_reason(request) is None:
            return None
        return _redirect_or_refuse(request, "password_change", _("您的密码已过期或为临时密码，请先修改密码。"))
