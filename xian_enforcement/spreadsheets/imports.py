"""The all-or-nothing import machinery shared by every Excel import: row plans, row errors
with row numbers, and applying the plans through a domain service inside savepoints."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xian_enforcement.errors import DomainError, error_text

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class RowError:
    row: int | None
    column: str
    message: str


@dataclass
class RowPlan:
    """What one row will do: its key, the action and the arguments for the service."""

    row: int
    action: str
    label: str
    detail: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    instance: Any = None


@dataclass
class ImportResult:
    plans: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for p in self.plans if p.action == action)

    @property
    def created(self) -> int:
        return self.count(CREATE)

    @property
    def updated(self) -> int:
        return self.count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejected(Exception):
    """The confirmed import was refused: nothing was saved. ``result`` holds every error."""

    def __init__(self, result: ImportResult):
        super().__init__(f"{len(result.errors)} errors")
        self.result = result


def apply_rows(plans: Iterable[RowPlan], write: Callable[[RowPlan], None], column_of: Callable[[str | None], str]):
    """Run ``write`` for every row that changes something, each in its own savepoint, and return
    the errors (with row numbers) of the rows the services refused."""
    errors: list[RowError] = []
    for plan in plans:
        if plan.action == UNCHANGED:
            continue
        try:
            with transaction.atomic():
                write(plan)
        except DomainError as exc:
            errors.append(RowError(plan.row, column_of(exc.field), error_text(exc)))
        except IntegrityError:
            errors.append(
                RowError(plan.row, column_of(None), _("与已保存的数据冲突（可能刚被他人录入），请重新上传。"))
            )
    return errors


def dry_run(plans: list[RowPlan], write, column_of) -> list[RowError]:
    """Apply every row and roll everything back: the preview sees exactly what the services
    would refuse, and nothing is saved."""
    with transaction.atomic():
        errors = apply_rows(plans, write, column_of)
        transaction.set_rollback(True)
    return errors
