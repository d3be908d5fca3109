"""Receivers: password state on every password set, lockout audit, session cache at login."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from xian_enforcement.audit.choices import EventType, Outcome
from xian_enforcement.audit.services import audit_event_record

from . import services
from .middleware import acting_user


@receiver(post_save, sender=get_user_model(), dispatch_uid="accounts_password_state")
def record_password_state(sender, instance, created, raw=False, **kwargs) -> None:
    """On user creation and after every ``set_password`` (``_password`` is still set while the
    user's ``save()`` runs). A password set by another signed-in user (the system administrator
    creating an account or resetting one) is temporary: it must be changed at first login."""
    if raw:
        return
    if not created and getattr(instance, "_password", None) is None:
        return
    actor = acting_user()
    must_change = bool(
        instance.has_usable_password() and actor is not None and actor.is_authenticated and actor.pk != instance.pk
    )
    services.password_state_record(instance, must_change=must_change)
    services.password_history_record(instance)


@receiver(user_logged_in, dispatch_uid="accounts_password_state_session")
def cache_password_state(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        services.password_state_to_session(request.session, services.password_state_get(user))


@receiver(user_locked_out, dispatch_uid="accounts_lockout_audit")
def audit_lockout(sender, request, username, ip_address, **kwargs) -> None:
    """One LOCKOUT audit row per lockout. Axes sends the signal again for each attempt refused
    during the lockout; those carry no failure count and are not audited again."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    audit_event_record(
        event_type=EventType.LOCKOUT,
        username=username or "",
        outcome=Outcome.FAILURE,
        detail={"ip": ip_address, "failures": failures},
    )
