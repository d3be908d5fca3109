"""County leaders are read-only (security.md): every non-GET request is refused for a user whose
only roles are read-only, except the personal actions below (signing out, the language switch,
their own password and inbox)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .scoping import scope_for

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PERSONAL_URL_NAMES = {
    "logout",
    "set_language",
    "password_change",
    "notices:mark_read",
    "notices:mark_all_read",
}


class ReadOnlyRoleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in PERSONAL_URL_NAMES:
            return None
        if scope_for(user).is_read_only:
            raise PermissionDenied(_("县领导为只读角色，不能修改任何数据（security.md：访问控制）。"))
        return None


def mark_session_touched(sender, request, user, **kwargs) -> None:
    """At sign-in the session is new and saved anyway: record the touch so the next request does
    not write it again (connected to ``user_logged_in`` in ``OrgConfig.ready``)."""
    import time

    if request is not None and hasattr(request, "session"):
        request.session[SlidingSessionMiddleware.TOUCH_KEY] = int(time.time())
        request.session[SlidingSessionMiddleware.SIGNED_IN_KEY] = int(time.time())


class SlidingSessionMiddleware:
    """30-minute sliding idle timeout (security.md) and an absolute lifetime (SESSION_ABSOLUTE_SECONDS,
    12 hours) without a session write on every request:
    the expiry is pushed forward at most once a minute, not saved (a database write) on every
    page view."""

    TOUCH_KEY = "_touched"
    SIGNED_IN_KEY = "_signed_in_at"
    GRANULARITY = 60  # seconds

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings
        from django.contrib.auth import logout

        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated:
            now = int(time.time())
            # Absolute lifetime: however active, a session ends SESSION_ABSOLUTE_SECONDS
            # after sign-in. A session from before this rule gets its clock started now.
            signed_in = session.setdefault(self.SIGNED_IN_KEY, now)
            limit = int(getattr(settings, "SESSION_ABSOLUTE_SECONDS", 0) or 0)
            if limit > 0 and now - int(signed_in) >= limit:
                logout(request)  # flushes the session; the page then asks for sign-in
                return self.get_response(request)
            if now - int(session.get(self.TOUCH_KEY, 0)) >= self.GRANULARITY:
                session[self.TOUCH_KEY] = now  # marks the session modified: saved with a new expiry
        return self.get_response(request)
