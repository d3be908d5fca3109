"""Shared pieces of the tolerance services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xian_enforcement.errors import DomainError

from ..models import Application, ApplicationEvent


def refuse(message: str, rule_id: str = "", field: str | None = None):
    raise DomainError(message, rule_id=rule_id, field=field)


def full_clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        if hasattr(exc, "message_dict"):
            field, _msgs = next(iter(exc.message_dict.items()))
            labels = []
            for name, messages in exc.message_dict.items():
                try:
                    label = str(obj._meta.get_field(name).verbose_name)
                except Exception:
                    label = ""
                labels.append(f"{label}：{'；'.join(messages)}" if label else "；".join(messages))
            raise DomainError("；".join(labels), field=None if field == "__all__" else field) from exc
        raise DomainError("；".join(exc.messages)) from exc


def record(application: Application, from_status: str, to_status: str, by, note: str = "") -> None:
    application.status = to_status
    application.save(update_fields=["status", "updated_at"])
    ApplicationEvent.objects.create(
        application=application, from_status=from_status, to_status=to_status, by=by, note=note[:300]
    )


def locked(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("department", "officer").get(pk=application.pk)


def check_state(application: Application, *allowed: str, action: str) -> None:
    if application.status not in allowed:
        refuse(
            _("申请当前状态为“%(status)s”，不能%(action)s。")
            % {"status": application.get_status_display(), "action": action},
            rule_id="TOL-14b",
        )
