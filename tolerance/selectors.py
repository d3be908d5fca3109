"""Reads of the tolerance room.

Interfaces other rooms rely on (architecture.md: reviews → tolerance only to ask which findings
are tolerated; stats reads outcomes). Their signatures are fixed; the tolerance issue fills them.
"""

from __future__ import annotations

from collections.abc import Iterable


def tolerated_case_file_ids(case_file_ids: Iterable[int]) -> set[int]:
    """TOL-15: of the given case files, those linked to a decision of 免责 or 容错 (a tolerated
    act is not an enforcement error; REV-8 does not count the file as unqualified)."""
    return set()


def decision_outcomes(user, year: int) -> dict[str, int]:
    """Exemption decisions of ``year`` visible to ``user``, counted by outcome code
    (for the statistics dashboard). Empty until the tolerance issue lands."""
    return {}
