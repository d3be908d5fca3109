"""Showing a protected identity in full (security.md "Data integrity": officer ID numbers and
reporter identities are masked for ordinary roles; unmasking is audited with a reason).

A page offers a small form (reason required); the view that answers its POST checks the caller's
right, calls ``identity_unmask`` and renders the value into that one response only — never into a
URL, the session or a cache. Each reveal writes exactly one UNMASK row: who, which object, which
field, why (never the value)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import EventType
from .services import audit_event_record


class UnmaskForm(forms.Form):
    reason = forms.CharField(
        label=_("查看理由"),
        min_length=4,
        max_length=200,
        error_messages={
            "required": _("请填写查看理由（将记入审计日志）。"),
            "min_length": _("查看理由至少 4 个字。"),
        },
    )


def identity_unmask(*, user, obj, field: str, reason: str) -> None:
    audit_event_record(
        event_type=EventType.UNMASK,
        user=user,
        obj=f"{obj._meta.label}#{obj.pk}",
        detail={"model": obj._meta.label, "object_pk": obj.pk, "field": field, "reason": reason},
    )
