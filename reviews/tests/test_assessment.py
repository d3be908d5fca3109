"""REV-8 annual handler assessment, TOL-15 tolerated files, suspension and reinstatement."""

from __future__ import annotations

import datetime

import pytest

import tolerance.selectors
from cases.services import validate_handlers
from reviews import assessment
from reviews.choices import Consequence, Grade, ReviewStatus
from reviews.models import SelfReview
from tests.factories import certified_officer
from xian_enforcement.errors import DomainError
from xian_enforcement.org.choices import CertificateStatus
from xian_enforcement.org.selectors import assignable_officers

from .factories import reviewable_file, template_for

pytestmark = pytest.mark.django_db


def unqualified(case, reviewer):
    """A locked unqualified self-review written directly (read-side fixture)."""
    return SelfReview.objects.create(
        case_file=case,
        template=template_for(case),
        reviewer=reviewer,
        reviewer_name="评查人",
        status=ReviewStatus.LOCKED,
        score=0,
        veto_failed=True,
        grade=Grade.UNQUALIFIED,
        year=case.closed_on.year,
    )


def handler_with(dept, reviewer, *, cases: int, bad: int):
    officer = certified_officer(dept)
    files = [reviewable_file(dept, main_handler=officer) for _ in range(cases)]
    for f in files[:bad]:
        unqualified(f, reviewer)
    return officer, files


@pytest.mark.parametrize(
    ("bad", "consequence"),
    [
        (0, Consequence.NONE),
        (1, Consequence.CRITICISM),
        (2, Consequence.NO_AWARD),
        (3, Consequence.SUSPENDED),
    ],
)
def test_rev_8_unqualified_files_lead_to_the_three_consequences(users, dept, bad, consequence):
    officer, _files = handler_with(dept, users["legal_officer"], cases=6, bad=bad)
    result = assessment.handler_assess(officer=officer, year=2026, by=users["bureau_staff"])
    assert (result.main_cases, result.unqualified, result.consequence) == (6, bad, consequence)
    assert "第八条" in result.rule_applied
    suspended = officer.certificates.filter(status=CertificateStatus.SUSPENDED).exists()
    assert suspended == (consequence == Consequence.SUSPENDED)


def test_rev_8_more_than_ten_cases_scales_thresholds_and_says_so(users, dept):
    officer, _files = handler_with(dept, users["legal_officer"], cases=12, bad=3)
    result = assessment.handler_assess(officer=officer, year=2026, by=users["bureau_staff"])
    # 12 cases → 2 blocks of 10: criticism 2, no award 4, suspension 6.
    assert result.consequence == Consequence.CRITICISM
    assert "未规定" in result.rule_applied and "折算 2 档" in result.rule_applied


def test_rev_8_scaling_can_be_switched_off(users, dept, settings):
    settings.RULES = {**settings.RULES, "REV_8_SCALE_ABOVE": False}
    officer, _files = handler_with(dept, users["legal_officer"], cases=12, bad=3)
    assert assessment.handler_assess(officer=officer, year=2026, by=users["bureau_staff"]).consequence == "suspended"


def test_rev_8_suspended_officer_cannot_be_assigned_and_is_reinstated_after_reassessment(users, dept):
    officer, _files = handler_with(dept, users["legal_officer"], cases=5, bad=3)
    colleague = certified_officer(dept)
    result = assessment.handler_assess(officer=officer, year=2026, by=users["bureau_staff"])
    today = datetime.date.today()
    assert officer not in assignable_officers(dept.pk, today)
    with pytest.raises(DomainError) as exc:
        validate_handlers(department_id=dept.pk, main_handler=officer, co_handlers=[colleague], on=today)
    assert officer.name in exc.value.message
    change = officer.certificates.get().status_changes.get()
    assert change.rule_id == "REV-8"

    assessment.handler_reassessment_pass(assessment=result, by=users["bureau_staff"])
    assert officer in assignable_officers(dept.pk, today)
    validate_handlers(department_id=dept.pk, main_handler=officer, co_handlers=[colleague], on=today)
    result.refresh_from_db()
    assert result.reassessed_on == today


def test_rev_8_reassessment_only_for_suspended(users, dept):
    officer, _files = handler_with(dept, users["legal_officer"], cases=5, bad=1)
    result = assessment.handler_assess(officer=officer, year=2026, by=users["bureau_staff"])
    with pytest.raises(DomainError):
        assessment.handler_reassessment_pass(assessment=result, by=users["bureau_staff"])


def test_tol_15_tolerated_files_are_not_counted_and_the_assessment_says_why(users, dept, monkeypatch):
    officer, files = handler_with(dept, users["legal_officer"], cases=5, bad=3)
    tolerated = files[0]
    monkeypatch.setattr(tolerance.selectors, "tolerated_case_file_ids", lambda ids: {tolerated.pk} & set(ids))
    result = assessment.handler_assess(officer=officer, year=2026, by=users["bureau_staff"])
    assert (result.unqualified, result.tolerated, result.consequence) == (2, 1, Consequence.NO_AWARD)
    assert "TOL-15" in result.tolerated_note and tolerated.number in result.tolerated_note
    assert not officer.certificates.filter(status=CertificateStatus.SUSPENDED).exists()


@pytest.mark.parametrize("role", ["handler", "unit_head", "leader", "legal_officer"])
def test_rev_8_assessment_refused_for_other_roles(users, dept, role):
    officer, _files = handler_with(dept, users["legal_officer"], cases=2, bad=0)
    with pytest.raises(DomainError) as exc:
        assessment.handler_assess(officer=officer, year=2026, by=users[role])
    assert exc.value.rule_id == "REV-8"


def test_rev_8_legal_head_assesses_own_department_only(users, dept, other_dept):
    own, _f = handler_with(dept, users["legal_officer"], cases=1, bad=0)
    assessment.handler_assess(officer=own, year=2026, by=users["legal_head"])
    foreign = certified_officer(other_dept)
    with pytest.raises(DomainError):
        assessment.handler_assess(officer=foreign, year=2026, by=users["legal_head"])


def test_tol_15_real_tolerance_decisions_exempt_or_mitigated_are_not_counted_and_the_assessment_says_why(users, dept):
    """TOL-15 end to end, no monkeypatch: tolerance applications linked to the files, decided
    through the tolerance services. 免责 and 容错 files are not counted; 不予容错 still counts."""
    from reviews import annual
    from tolerance.tests.factories import decide, investigating

    officer = users["handler"].officer
    files = [reviewable_file(dept, main_handler=officer) for _ in range(6)]
    for f in files[:4]:
        unqualified(f, users["legal_officer"])
    exempt, mitigated, refused, plain = files[:4]
    decide(users, investigating(users, case_files=[exempt]))
    decide(users, investigating(users, case_files=[mitigated]), outcome="mitigated", c3=False)
    decide(users, investigating(users, case_files=[refused]), outcome="not_tolerated")

    result = assessment.handler_assess(officer=officer, year=2026, by=users["bureau_staff"])
    assert (result.main_cases, result.unqualified, result.tolerated) == (6, 2, 2)
    assert result.consequence == Consequence.NO_AWARD  # 4 would have suspended the officer
    assert "TOL-15" in result.tolerated_note
    assert exempt.number in result.tolerated_note and mitigated.number in result.tolerated_note
    assert refused.number not in result.tolerated_note and plain.number not in result.tolerated_note
    assert not officer.certificates.filter(status=CertificateStatus.SUSPENDED).exists()
    (row,) = [o for o in annual.handler_rows(dept.region_id, 2026, dept.pk) if o.pk == officer.pk]
    assert (row.unqualified, row.tolerated) == (2, 2)
