"""Domain errors raised by services when a rule or the workflow refuses a step, and the one presenter
that shows them to the user."""

from django.contrib import messages


class DomainError(Exception):
    """A rule refused the action. The message is translated and shown to the user; ``rule_id``
    names the rule of rules.md that refused it, when there is one."""

    def __init__(self, message: str, *, rule_id: str = "", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.rule_id = rule_id
        self.field = field

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.message}" if self.rule_id else self.message


# The one presenter: every view, import and admin action shows a refused step the same way.

#: Rules whose refusal means "the record is in a state that takes no such change" (409 Conflict)
#: rather than "the request is wrong" (400), for views that answer with a status of their own.
CONFLICT_RULES = frozenset({"REV-7"})


def error_text(exc: DomainError) -> str:
    """The user's message: the translated text, followed by the rule ID in full-width brackets
    unless the text already names it."""
    text = str(exc.message)
    if exc.rule_id and exc.rule_id not in text:
        text += f"（{exc.rule_id}）"
    return text


def error_status(exc: DomainError, *, default: int = 400) -> int:
    """The HTTP status a view answering directly gives the refusal: 409 for a rule that freezes the
    record, otherwise ``default`` (the caller knows when a more precise status such as 413 applies)."""
    return 409 if exc.rule_id in CONFLICT_RULES else default


def form_error(form, exc: DomainError) -> None:
    """Show the refusal next to the field it names, or above the form when the form has no such field."""
    field = exc.field if exc.field and exc.field in form.fields else None
    form.add_error(field, error_text(exc))


def message_error(request, exc: DomainError) -> None:
    """Show the refusal as a flash message on the next page."""
    messages.error(request, error_text(exc))
