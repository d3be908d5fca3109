"""Audit plumbing (not business logic): sign-in events from django.contrib.auth, and every row
change django-auditlog records, mirrored into the hash-chained trail."""

from auditlog.signals import post_log
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


@receiver(post_log)
def _row_changed(sender, instance, action, changes, log_entry=None, error=None, **kwargs):
    """One chained row per create/update/delete of an audited model (auditlog has already
    masked the fields registered with ``mask_fields``)."""
    if log_entry is None or error is not None:
        return
    audit_event_record(
        event_type=EventType.STATE_CHANGE,
        user=log_entry.actor,
        obj=f"{sender._meta.label}#{log_entry.object_pk}",
        detail={
            "log_entry": log_entry.pk,
            "model": sender._meta.label,
            "object_pk": log_entry.object_pk,
            "action": log_entry.get_action_display(),
            "changes": log_entry.changes_dict,
        },
    )
