"""Writes for account security (house style: services do writes, named noun_verb)."""

from __future__ import annotations

from django.utils import timezone

from .models import PasswordHistory, PasswordState

# Session keys caching the password state for the middleware (no query per request).
SESSION_CHANGED_AT = "_xian_pw_changed_at"
SESSION_MUST_CHANGE = "_xian_pw_must_change"


def password_state_record(user, *, must_change: bool = False) -> PasswordState:
    """Record that ``user``'s password was set now (temporary when ``must_change``)."""
    state, _created = PasswordState.objects.update_or_create(
        user=user, defaults={"changed_at": timezone.now(), "must_change": must_change}
    )
    return state


def password_state_require_change(user) -> PasswordState:
    """Flag the user's current password as temporary: they must change it at their next request."""
    state, _created = PasswordState.objects.get_or_create(user=user)
    if not state.must_change:
        state.must_change = True
        state.save(update_fields=["must_change"])
    return state


def password_state_get(user) -> PasswordState:
    """The user's state; a user created before this app existed gets "now" (as the data migration does)."""
    state, _created = PasswordState.objects.get_or_create(user=user)
    return state


def password_state_to_session(session, state: PasswordState) -> None:
    session[SESSION_CHANGED_AT] = int(state.changed_at.timestamp())
    session[SESSION_MUST_CHANGE] = bool(state.must_change)


def password_history_record(user) -> None:
    """Remember ``user``'s newly set password hash; keep the current one and the
    ``PASSWORD_HISTORY_COUNT`` before it, drop older ones."""
    from django.conf import settings

    if not user.has_usable_password():
        return
    PasswordHistory.objects.create(user=user, password=user.password)
    keep = settings.PASSWORD_HISTORY_COUNT + 1
    old = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-pk").values_list("pk", flat=True)[keep:]
    PasswordHistory.objects.filter(pk__in=list(old)).delete()


def password_recent_hashes(user) -> list[str]:
    """The current password hash and the ``PASSWORD_HISTORY_COUNT`` before it, newest first."""
    from django.conf import settings

    hashes = [user.password] if user.password and user.has_usable_password() else []
    recent = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-pk")
    for encoded in recent.values_list("password", flat=True)[: settings.PASSWORD_HISTORY_COUNT + 1]:
        if encoded not in hashes:
            hashes.append(encoded)
    return hashes
