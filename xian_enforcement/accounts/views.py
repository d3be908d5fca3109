"""Two-factor enrolment and verification, password change, lockout page (security.md
"Authentication"). Views stay thin; the device work is django-otp's."""

from __future__ import annotations

import base64
import io
import re

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from xian_enforcement.audit.choices import EventType, Outcome
from xian_enforcement.audit.services import audit_event_record

from . import services
from .forms import OTPCodeForm
from .middleware import password_change_reason

DEVICE_NAME = "TOTP"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def qr_svg(data: str, size: int = 240) -> str:
    """The QR code of ``data`` as inline SVG markup (no script, no style attributes: CSP-safe)."""
    label = escape(_("验证器绑定二维码"))
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    if svg.startswith("<?xml"):
        svg = svg.split("?>", 1)[1]
    # A fixed on-screen size (attributes, not style) and an accessible name.
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', f'<svg width="{size}" height="{size}"', svg.strip())
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def _code_ok(request, device, form) -> bool:
    """Check the submitted code; a wrong or throttled code writes one OTP_FAILED audit row."""
    allowed, _info = device.verify_is_allowed()
    if allowed and device.verify_token(form.cleaned_data["code"]):
        return True
    if allowed:
        form.add_error("code", _("动态口令不正确或已使用过，请输入验证器上显示的最新口令。"))
    else:
        form.add_error("code", _("尝试次数过多，请稍等片刻再试。"))
    audit_event_record(
        event_type=EventType.OTP_FAILED,
        user=request.user,
        outcome=Outcome.FAILURE,
        obj=device,
        detail={"throttled": not allowed},
    )
    return False


@login_required
def otp_setup(request):
    """Enrol a TOTP authenticator: QR code plus the base32 secret, confirmed by a first code."""
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        # Enrolling a second device would bypass the existing one: verify with it instead.
        return redirect(f"{reverse('otp_verify')}?next={_next_url(request)}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=DEVICE_NAME, confirmed=False)
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _code_ok(request, device, form):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        audit_event_record(event_type=EventType.OTP_ENROLLED, user=request.user, obj=device)
        messages.success(request, _("双因素认证已启用。"))
        return redirect(_next_url(request))
    secret = base64.b32encode(device.bin_key).decode("ascii")
    context = {
        "form": form,
        "qr_svg": mark_safe(qr_svg(device.config_url)),  # generated markup, no user input
        "secret": secret,
        "secret_groups": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
def otp_verify(request):
    """Ask a verified-device holder for the current 6-digit code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).order_by("pk").first()
    if device is None:
        return redirect(f"{reverse('otp_setup')}?next={_next_url(request)}")
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _code_ok(request, device, form):
        otp_login(request, device)
        return redirect(_next_url(request))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next_url(request)})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (keeps this session, ends the others via the session hash), plus
    the audit row and the password-age state."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["change_reason"] = password_change_reason(self.request)
        context["max_age_days"] = settings.PASSWORD_MAX_AGE_DAYS
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        services.password_state_to_session(self.request.session, services.password_state_get(user))
        audit_event_record(event_type=EventType.PASSWORD_CHANGED, user=user, obj=user)
        return response


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a Chinese page saying when the username may try again (HTTP 429)."""
    from axes.helpers import get_client_username, get_cool_off
    from axes.models import AccessAttempt

    username = get_client_username(request, credentials) or ""
    cool_off = get_cool_off(request)
    attempt = (
        AccessAttempt.objects.filter(username=username, ip_address=getattr(request, "axes_ip_address", None))
        .order_by("-attempt_time")
        .first()
    )
    started = attempt.attempt_time if attempt is not None else timezone.now()
    retry_at = timezone.localtime(started + cool_off) if cool_off else None
    context = {
        "username": username,
        "retry_at": retry_at,
        "lockout_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "accounts/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
