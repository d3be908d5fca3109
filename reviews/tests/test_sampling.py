"""REV-10, REV-11, REV-12, REV-16: inspection campaigns and the verifiable draw."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.choices import LitigationState, ReconsiderationState
from cases.models import CaseFile
from reviews import sampling
from reviews.choices import Grade, GroupRole
from reviews.models import SampledFile, SampleExclusion, SampleStratum
from tests.factories import category, certified_officer
from xian_enforcement.errors import DomainError

from .factories import reviewable_file, scored_items, template_for

pytestmark = pytest.mark.django_db


def campaign(users, public_value="2026-03-02 上证综指收盘 3245.12"):
    return sampling.campaign_create(
        by=users["bureau_staff"],
        title="2026 年度层级监督检查",
        year=2026,
        kind="regular",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        public_value=public_value,
        seed_date=datetime.date(2026, 3, 2),
    )


@pytest.fixture
def files(dept, other_dept):
    made = [reviewable_file(dept) for _ in range(8)]
    made += [reviewable_file(dept, category=category("licensing")) for _ in range(3)]
    made += [reviewable_file(other_dept) for _ in range(6)]
    made += [reviewable_file(dept, category=category("other"))]  # no sampling group
    return made


def test_rev_11_seed_is_recorded_before_the_draw(users):
    c = campaign(users)
    assert c.seed == sampling.make_seed("2026-03-02 上证综指收盘 3245.12", datetime.date(2026, 3, 2))
    assert c.drawn_at is None and c.sample_size == 5


def test_rev_11_five_per_unit_and_category_and_all_when_fewer(users, files, dept, other_dept):
    c = campaign(users)
    sampling.campaign_draw(campaign=c, by=users["bureau_staff"])
    strata = {(s.department_id, s.group): s for s in SampleStratum.objects.filter(campaign=c)}
    assert (strata[(dept.pk, "行政处罚")].candidates, strata[(dept.pk, "行政处罚")].drawn) == (8, 5)
    licensing = strata[(dept.pk, "行政许可")]
    assert (licensing.candidates, licensing.drawn, licensing.all_taken) == (3, 3, True)
    assert strata[(other_dept.pk, "行政处罚")].drawn == 5
    assert SampledFile.objects.filter(campaign=c).count() == 13
    assert not SampledFile.objects.filter(case_file__category__code="other").exists()


def test_rev_11_sampling_is_deterministic_for_a_seed_and_differs_for_another(users, files):
    a = campaign(users)
    b = campaign(users)
    other = campaign(users, public_value="2026-03-03 上证综指收盘 3251.40")
    draws = [sampling.compute_draw(x).case_ids() for x in (a, b, other)]
    assert draws[0] == draws[1]
    assert draws[0] != draws[2]
    # Rank order is by sha256(seed:id), reproducible by hand.
    pool = sorted(
        (sampling.draw_key(a.seed, f.pk), f.pk)
        for f in files
        if f.department_id == files[0].department_id
        if f.category.code == "punishment"
    )
    assert [pk for _k, pk in pool[:5]] == [
        pk for pk, _k in sampling.compute_draw(a).picks[(files[0].department_id, "行政处罚")]
    ]


def test_rev_12_sampling_excludes_files_under_litigation_or_reconsideration(users, dept):
    kept = [reviewable_file(dept) for _ in range(2)]
    sued = reviewable_file(dept, litigation=LitigationState.PENDING)
    appealed = reviewable_file(dept, reconsideration=ReconsiderationState.UPHELD)
    c = campaign(users)
    draw = sampling.campaign_draw(campaign=c, by=users["bureau_staff"])
    assert draw.case_ids() == {f.pk for f in kept}
    reasons = dict(SampleExclusion.objects.filter(campaign=c).values_list("case_file_id", "reason"))
    assert set(reasons) == {sued.pk, appealed.pk}
    assert "行政诉讼" in reasons[sued.pk] and "REV-12" in reasons[sued.pk]
    assert "行政复议" in reasons[appealed.pk]
    assert SampleStratum.objects.get(campaign=c).excluded == 2


def test_rev_11_verify_sample_command_reproduces_the_draw(users, files):
    c = campaign(users)
    sampling.campaign_draw(campaign=c, by=users["bureau_staff"])
    out = StringIO()
    call_command("verify_sample", str(c.pk), stdout=out)
    assert "OK: the draw reproduces the same 13 files" in out.getvalue()
    # A stored sample edited behind the draw's back is caught.
    sample = SampledFile.objects.filter(campaign=c).first()
    outsider = CaseFile.objects.exclude(pk__in=SampledFile.objects.values("case_file_id")).exclude(
        category__code="other"
    )[0]
    SampledFile.objects.filter(pk=sample.pk).update(case_file=outsider)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_sample", str(c.pk), stdout=out)
    assert "stored but not drawn now" in out.getvalue()


def test_rev_11_draw_happens_once(users, files):
    c = campaign(users)
    sampling.campaign_draw(campaign=c, by=users["bureau_staff"])
    with pytest.raises(DomainError):
        sampling.campaign_draw(campaign=c, by=users["bureau_staff"])


@pytest.mark.parametrize("role", ["legal_head", "review_group", "leader", "handler"])
def test_rev_10_only_bureau_staff_run_inspections(users, role):
    with pytest.raises(DomainError) as exc:
        campaign({"bureau_staff": users[role]})
    assert exc.value.rule_id == "REV-10"


def test_rev_10_member_never_reviews_own_units_files(users, dept, other_dept):
    own = reviewable_file(dept)
    c = campaign(users)
    sampling.campaign_draw(campaign=c, by=users["bureau_staff"])
    seconded = certified_officer(dept, roles=["review_group"])
    sampling.campaign_add_member(campaign=c, by=users["bureau_staff"], officer=seconded, role=GroupRole.SECONDED)
    sample = SampledFile.objects.get(campaign=c, case_file=own)
    with pytest.raises(DomainError) as exc:
        sampling.sampled_file_assign(sample=sample, by=users["bureau_staff"], reviewer=seconded)
    assert exc.value.rule_id == "REV-10"
    outsider = certified_officer(other_dept, roles=["review_group"])
    with pytest.raises(DomainError) as exc:  # not in the group
        sampling.sampled_file_assign(sample=sample, by=users["bureau_staff"], reviewer=outsider)
    assert exc.value.rule_id == "REV-16"
    sampling.campaign_add_member(campaign=c, by=users["bureau_staff"], officer=outsider, role=GroupRole.MEMBER)
    sampling.sampled_file_assign(sample=sample, by=users["bureau_staff"], reviewer=outsider)


def test_rev_11_inspection_grades_the_file_and_its_self_review(users, dept):
    case = reviewable_file(dept)
    c = campaign(users)
    sampling.campaign_draw(campaign=c, by=users["bureau_staff"])
    reviewer = users["review_group"].officer  # bureau, not the unit
    sampling.campaign_add_member(campaign=c, by=users["bureau_staff"], officer=reviewer, role=GroupRole.LEADER)
    sample = SampledFile.objects.get(campaign=c, case_file=case)
    sampling.sampled_file_assign(sample=sample, by=users["bureau_staff"], reviewer=reviewer)
    item = scored_items(template_for(case))[3]
    with pytest.raises(DomainError):  # someone else than the assigned reviewer
        sampling.sampled_file_grade(
            sample=sample, by=users["bureau_staff"], findings={}, problems="", self_review_quality="missed"
        )
    from decimal import Decimal

    sample = sampling.sampled_file_grade(
        sample=sample,
        by=users["review_group"],
        findings={item.pk: (False, Decimal(45), "主要证据缺失")},
        problems="证据不足",
        self_review_quality="missed",
    )
    assert sample.score == 85 and sample.grade == Grade.QUALIFIED and sample.self_review_quality == "missed"


def test_rev_10_year_without_inspection_is_flagged_from_1_october(users, region):
    assert not sampling.inspection_missing(region.pk, datetime.date(2026, 9, 30))
    assert sampling.inspection_missing(region.pk, datetime.date(2026, 10, 1))
    campaign(users)
    assert not sampling.inspection_missing(region.pk, datetime.date(2026, 10, 1))


def test_rev_11_verification_uses_the_candidates_stored_at_the_draw(users, files, dept):
    """REV-11: a legitimate change of the files after the draw (a sampled file goes to
    litigation, a new file of the period is closed) leaves the draw verifiable; a changed stored
    sample or a changed stored candidate list still fails."""
    from reviews.models import InspectionCampaign

    c = campaign(users)
    sampling.campaign_draw(campaign=c, by=users["bureau_staff"])
    c.refresh_from_db()
    assert len(c.candidates) == 17 and len(c.candidates_digest) == 64
    drawn = SampledFile.objects.filter(campaign=c).first()
    CaseFile.objects.filter(pk=drawn.case_file_id).update(litigation=LitigationState.PENDING)
    reviewable_file(dept)  # closed in the period after the draw: a new candidate today
    result = sampling.campaign_verify(c)
    assert result.same and result.from_stored_candidates
    out = StringIO()
    call_command("verify_sample", str(c.pk), stdout=out)
    assert "OK: the draw reproduces the same 13 files" in out.getvalue()
    assert sampling.compute_draw(c).case_ids() != result.stored  # the live files did change

    # A stored candidate list changed after the draw: its keyed digest no longer matches.
    rows = [row for row in c.candidates if row[0] != drawn.case_file_id]
    InspectionCampaign.objects.filter(pk=c.pk).update(candidates=rows)
    c.refresh_from_db()
    assert not sampling.campaign_verify(c).candidates_intact
    with pytest.raises(CommandError, match="keyed digest"):
        call_command("verify_sample", str(c.pk), stdout=StringIO())


def test_rev_11_changed_stored_sample_fails_verification_from_stored_candidates(users, files):
    c = campaign(users)
    sampling.campaign_draw(campaign=c, by=users["bureau_staff"])
    c.refresh_from_db()
    drawn_ids = set(SampledFile.objects.filter(campaign=c).values_list("case_file_id", flat=True))
    undrawn = next(row[0] for row in c.candidates if row[0] not in drawn_ids)
    SampledFile.objects.filter(pk=SampledFile.objects.filter(campaign=c).first().pk).update(case_file_id=undrawn)
    result = sampling.campaign_verify(c)
    assert result.candidates_intact and not result.same and undrawn in result.missing
