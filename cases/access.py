"""Who may change a case file, and whether it may change at all (REV-7: records stay final).

A file whose self-review record has been submitted or locked, or a file that is archived, is
**frozen**: no field changes through the edit page, the ledger import or any other service
(``cases.services`` refuses). The only change is an **amendment** (更正) by the legal office of
the file's department, with a reason, kept as a version (``CaseFileAmendment``) and flagged on
the self-review record so that the legal office reviews the file again.

The judicial bureau (司法局) does not amend: it supervises the units' files (REV-10, REV-11)
and must not rewrite the record it supervises; the unit's own legal office reviewed the file
(REV-7) and answers for it. Services call these predicates to check who acts; selectors and
views use them to show only the actions a user may take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from xian_enforcement.org.choices import Role
from xian_enforcement.org.scoping import scope_for

# The unit's legal office keeps its department's files (REV-7) and amends them after review.
AMEND_ROLES = (Role.LEGAL_OFFICER, Role.LEGAL_HEAD)


@dataclass(frozen=True)
class Freeze:
    """Why a case file is frozen: ``kind`` is ``review_submitted``, ``review_locked`` (from the
    review room) or ``archived``; ``message`` names the rule for the user."""

    kind: str
    message: str


FreezeCheck = Callable[[object], "Freeze | None"]
# The same check for many files at once: case-file pks -> {pk: Freeze} of the frozen ones.
FreezeSetCheck = Callable[[list[int]], "dict[int, Freeze]"]
_FREEZE_CHECKS: list[FreezeCheck] = []
_FREEZE_SET_CHECKS: list[FreezeSetCheck] = []


def register_freeze_check(func: FreezeCheck, *, many: FreezeSetCheck | None = None) -> FreezeCheck:
    """Rooms above ``cases`` (the review room: a submitted or locked self-review record) add
    their reasons from their ``AppConfig.ready``; ``cases`` imports none of them. ``many`` is
    the set-based form of the same check (one query for a whole ledger import)."""
    if func not in _FREEZE_CHECKS:
        _FREEZE_CHECKS.append(func)
    if many is not None and many not in _FREEZE_SET_CHECKS:
        _FREEZE_SET_CHECKS.append(many)
    return func


def freeze_of(case) -> Freeze | None:
    """The reason ``case`` is frozen (REV-7), or None when it may still be edited: a registered
    check (the self-review record, one query) first, then the stored archiving date."""
    for check in _FREEZE_CHECKS:
        freeze = check(case)
        if freeze is not None:
            return freeze
    if case.archived_on:
        return _archived(case)
    return None


def freezes_of(cases: Iterable) -> dict[int, Freeze]:
    """REV-7 for many stored files at once (the ledger import): ``{pk: Freeze}`` of those that
    are frozen, with the same reasons and precedence as ``freeze_of``: one query per registered
    set check, whatever the number of files."""
    cases = [c for c in cases if c.pk]
    found: dict[int, Freeze] = {}
    for check in _FREEZE_SET_CHECKS:
        for pk, freeze in check([c.pk for c in cases if c.pk not in found]).items():
            found.setdefault(pk, freeze)
    for case in cases:
        if case.pk not in found and case.archived_on:
            found[case.pk] = _archived(case)
    return found


def _archived(case) -> Freeze:
    return Freeze(
        "archived",
        _("该案卷已于 %(day)s 归档，不能再修改；如需更正，请由本部门法制机构办理更正（REV-7）。")
        % {"day": case.archived_on.isoformat()},
    )


def can_amend(user, case) -> bool:
    """REV-7: the legal office (法制机构人员, 法制机构负责人) of the file's own department."""
    scope = scope_for(user)
    return not scope.is_read_only and scope.department_id == case.department_id and scope.has(*AMEND_ROLES)
