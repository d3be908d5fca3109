"""Sign-in events are emitted by django.contrib.auth as signals; recording them is audit
plumbing, not business logic, so a receiver is the right place."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .choices import EventType, Outcome
from .services import audit_event_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_event_record(event_type=EventType.LOGIN, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_event_record(event_type=EventType.LOGOUT, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit_event_record(
        event_type=EventType.LOGIN_FAILED, username=str(credentials.get("username", ""))[:150], outcome=Outcome.FAILURE
    )
