"""REV-13, REV-14, REV-15: veto items, deductions that stop at zero, grade bands, and the
default checklists seeded for each category."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cases.models import CaseCategory
from reviews import scoring
from reviews.choices import Grade, ItemKind, Stage
from reviews.conf import DEFAULTS
from reviews.models import ChecklistTemplate

pytestmark = pytest.mark.django_db


def _template(code="punishment"):
    return ChecklistTemplate.objects.get(category__code=code, version=1)


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("59.5", Grade.UNQUALIFIED),
        ("60", Grade.QUALIFIED),
        ("89.5", Grade.QUALIFIED),
        ("90", Grade.EXCELLENT),
        ("100", Grade.EXCELLENT),
        ("0", Grade.UNQUALIFIED),
    ],
)
def test_rev_15_grade_bands(score, grade):
    assert scoring.grade_for(Decimal(score)) == grade


def test_rev_15_thresholds_are_configurable(settings):
    settings.RULES = {**settings.RULES, "REV_15_EXCELLENT_MIN": 95, "REV_15_QUALIFIED_MIN": 70}
    assert scoring.grade_for(Decimal("94.5")) == Grade.QUALIFIED
    assert scoring.grade_for(Decimal("69.5")) == Grade.UNQUALIFIED


def test_rev_13_failed_veto_item_is_unqualified_with_score_zero():
    template = _template()
    veto = next(i for i in template.items.all() if i.kind == ItemKind.VETO)
    result = scoring.compute(list(template.items.all()), {veto.pk: (True, Decimal(0))})
    assert result == scoring.Result(Decimal(0), True, Grade.UNQUALIFIED)


def test_rev_13_veto_overrides_a_perfect_score():
    assert scoring.grade_for(Decimal(100), veto_failed=True) == Grade.UNQUALIFIED


def test_rev_14_deductions_stop_at_zero_for_the_item():
    template = _template()
    filing = next(i for i in template.items.all() if i.stage == Stage.FILING)  # 5 points
    evidence = next(i for i in template.items.all() if i.points == 15)
    result = scoring.compute(
        list(template.items.all()), {filing.pk: (False, Decimal(8)), evidence.pk: (False, Decimal("2.5"))}
    )
    # The 5-point item loses 5, not 8; the other loses 2.5.
    assert result.score == Decimal("92.5")
    assert scoring.item_score(Decimal(5), Decimal(8)) == 0


def test_rev_14_default_checklists_seeded_per_category():
    codes = set(ChecklistTemplate.objects.values_list("category__code", flat=True))
    assert {"punishment", "licensing", "coercion", "inspection", "levy", "requisition"} <= codes
    for template in ChecklistTemplate.objects.all():
        items = list(template.items.all())
        assert len([i for i in items if i.kind == ItemKind.VETO]) == 9
        by_stage = {}
        for i in items:
            if i.kind == ItemKind.SCORED:
                by_stage[i.stage] = by_stage.get(i.stage, 0) + i.points
        assert by_stage == {k: Decimal(v) for k, v in DEFAULTS["REV_14_STAGE_POINTS"].items()}
        assert template.total_points == 100


def test_rev_13_default_veto_list_names_the_six_elements_and_three_extra():
    texts = " ".join(i.text for i in _template("licensing").items.filter(kind=ItemKind.VETO))
    for element in ("主体合法", "事实清楚", "证据确凿", "程序合法", "适用法律正确", "具体行政行为适当"):
        assert element in texts
    for extra in ("无执法资格", "执法人员少于2人", "应移送未移送"):
        assert extra in texts


def test_rev_14_category_without_checklist_has_none():
    assert not ChecklistTemplate.objects.filter(category=CaseCategory.objects.get(code="other")).exists()
