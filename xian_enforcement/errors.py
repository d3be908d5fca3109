"""Domain errors raised by services when a rule or the workflow refuses a step."""


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
