"""Security headers and rate limits (security.md "Input": XSS/CSP, rate limits).

``SecurityHeadersMiddleware`` adds Content-Security-Policy and Permissions-Policy to every
response (X-Frame-Options, nosniff, Referrer-Policy and Cross-Origin-Opener-Policy come from
Django's SecurityMiddleware/XFrameOptionsMiddleware).

``RateLimitMiddleware`` is a fixed-window counter per client IP in Django's cache (Redis in
production): sign-in POSTs count against ``RATELIMIT_LOGIN``, public pages against
``RATELIMIT_PUBLIC``. The request over the limit gets a 429 page; the first refusal of a window
writes one RATE_LIMITED audit row.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

from xian_enforcement.audit.choices import EventType, Outcome
from xian_enforcement.audit.services import audit_event_record

from . import client_address
from .policy import RATE_LIMITED_LOGIN_URL_NAMES, RATE_LIMITED_PUBLIC_URL_NAMES

DEFAULT_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def csp_header_value() -> str:
    policy = settings.CSP_POLICY  # one definition, in settings
    return "; ".join(f"{directive} {value}".strip() for directive, value in policy.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = csp_header_value()
        self.permissions_policy = getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/m"`` → (10, 60). Periods: s, m, h, d, optionally with a count (``"100/5m"``)."""
    try:
        count, period = rate.strip().split("/")
        multiplier = int(period[:-1]) if len(period) > 1 else 1
        return int(count), multiplier * PERIODS[period[-1]]
    except (ValueError, KeyError, IndexError):
        raise ImproperlyConfigured(f"Invalid rate limit {rate!r}: use e.g. '10/m', '60/m', '1000/h'") from None


def client_ip(request) -> str:
    # One definition of the client address, trusted-proxy aware (client_address.py).
    return client_address.client_ip(request) or "unknown"


def bucket_for(request) -> tuple[str, str] | None:
    match = request.resolver_match
    name = match.view_name if match is not None else None
    if name is None:
        return None
    if request.method == "POST" and name in RATE_LIMITED_LOGIN_URL_NAMES:
        return "login", settings.RATELIMIT_LOGIN
    if name in RATE_LIMITED_PUBLIC_URL_NAMES:
        return "public", settings.RATELIMIT_PUBLIC
    return None


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(settings, "RATELIMIT_ENABLED", True):
            return None
        bucket = bucket_for(request)
        if bucket is None:
            return None
        name, rate = bucket
        limit, period = parse_rate(rate)
        ip = client_ip(request)
        now = time.time()
        window = int(now // period)
        key = f"ratelimit:{name}:{ip}:{period}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=period + 1)
            count = 1
        if count <= limit:
            return None
        if count == limit + 1:  # first refusal of this window: one audit row, not one per request
            audit_event_record(
                event_type=EventType.RATE_LIMITED,
                user=getattr(request, "user", None),
                outcome=Outcome.FAILURE,
                detail={"bucket": name, "ip": ip, "limit": rate, "path": request.path[:200]},
            )
        retry_after = max(1, int((window + 1) * period - now))
        response = render(request, "429.html", {"retry_after": retry_after}, status=429)
        response["Retry-After"] = str(retry_after)
        return response


class NulByteMiddleware:
    """No 500s from a NUL byte: PostgreSQL refuses ``\x00`` in a text parameter, so
    a search or filter value carrying one used to end in a server error. Any query-string key or
    value holding a NUL (or an undecodable byte that decodes to one) is answered 400 before a view
    sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
            return render(
                request,
                "400.html",
                {"message": _("搜索或筛选条件中含有无效字符（NUL），请删除后重试。")},
                status=400,
            )
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages, exports and PDFs served to a signed-in user are not kept by the browser or a proxy
    (security.md "Data"): ``Cache-Control: no-store`` on every response to an
    authenticated request, except static files (WhiteNoise answers those before this runs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private, Expires
            patch_cache_control(response, no_store=True, private=True)
        return response
