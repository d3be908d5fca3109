from __future__ import annotations

from django.contrib import messages

from xian_enforcement.errors import DomainError


def error_text(exc: DomainError) -> str:
    return f"{exc.message}" + (f"（{exc.rule_id}）" if exc.rule_id and exc.rule_id not in exc.message else "")


def form_error(form, exc: DomainError) -> None:
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, error_text(exc))
    else:
        form.add_error(None, error_text(exc))


def message_error(request, exc: DomainError) -> None:
    messages.error(request, error_text(exc))
