"""Which URLs are public and how hard clients may hit them (security.md "Access control" and
"Input"). The URL walk in tests/security/ uses these lists: a URL name missing from every list
fails the build until someone classifies it."""

from __future__ import annotations

# Reachable without signing in (security.md "Deny by default": the explicit public allow-list).
PUBLIC_URL_NAMES = frozenset(
    {
        "login",  # the sign-in page itself
        "set_language",  # password-less language switch
        "public:certificates",  # STA-5.2 public list of certificate holders
        "tolerance:publications",  # TOL publication of decisions (public ones only, masked)
        "admin:login",  # the admin site's own sign-in page (admin views still require staff + OTP)
    }
)

# Public pages counted against RATELIMIT_PUBLIC per client IP.
RATE_LIMITED_PUBLIC_URL_NAMES = PUBLIC_URL_NAMES
# Sign-in POSTs counted against RATELIMIT_LOGIN per client IP.
RATE_LIMITED_LOGIN_URL_NAMES = frozenset({"login", "admin:login"})
