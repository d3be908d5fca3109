"""Pure scoring rules (REV-13, REV-14, REV-15): no database access, so the htmx preview, the
service and the tests share one implementation."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .choices import Grade, ItemKind
from .conf import rule


@dataclass(frozen=True)
class Result:
    score: Decimal
    veto_failed: bool
    grade: str


def grade_for(score: Decimal, veto_failed: bool = False) -> str:
    """REV-15: ≥ excellent_min 优秀, ≥ qualified_min 合格, else 不合格; a failed veto item is
    always 不合格 (REV-13)."""
    if veto_failed:
        return Grade.UNQUALIFIED
    if score >= Decimal(str(rule("REV_15_EXCELLENT_MIN"))):
        return Grade.EXCELLENT
    if score >= Decimal(str(rule("REV_15_QUALIFIED_MIN"))):
        return Grade.QUALIFIED
    return Grade.UNQUALIFIED


def item_score(points: Decimal, deduction: Decimal) -> Decimal:
    """REV-14: 扣完为止 — an item never goes below zero."""
    return max(Decimal(0), Decimal(points) - Decimal(deduction))


def compute(items, findings: dict[int, tuple[bool, Decimal]]) -> Result:
    """``items``: checklist items (``pk``, ``kind``, ``points``); ``findings``: item pk →
    (failed, deduction). REV-13: any failed veto item → score 0 and 不合格."""
    veto = any(findings.get(i.pk, (False, 0))[0] for i in items if i.kind == ItemKind.VETO)
    if veto:
        return Result(Decimal(0), True, Grade.UNQUALIFIED)
    score = sum(
        (item_score(i.points, findings.get(i.pk, (False, Decimal(0)))[1]) for i in items if i.kind == ItemKind.SCORED),
        Decimal(0),
    )
    return Result(score, False, grade_for(score))
