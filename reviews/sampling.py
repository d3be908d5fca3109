"""REV-11 verifiable random sampling, REV-12 exclusions, REV-10 inspection campaigns.

The draw is a pure function of the recorded seed and the files: candidates are the closed
files of each unit in the campaign's period whose category has a sampling group; within each
unit × group they are ordered by ``sha256(seed + ":" + case id)`` and the first N are taken
(all of them, said so, when fewer than N). Anyone can re-run it: ``python manage.py
verify_sample CAMPAIGN`` or the campaign page's "re-run the draw" check."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import LitigationState, ReconsiderationState
from cases.models import CaseFile
from xian_enforcement.audit.keys import keyed_hexdigest, same
from xian_enforcement.errors import DomainError
from xian_enforcement.org.choices import Role
from xian_enforcement.org.models import Department, Officer, Region
from xian_enforcement.org.scoping import scope_for

from .conf import rule
from .models import (
    InspectionCampaign,
    InspectionRefusal,
    ReviewGroupMember,
    SampledFile,
    SampleExclusion,
    SampleStratum,
)


def make_seed(public_value: str, seed_date: datetime.date) -> str:
    """The seed published before the draw: sha256 of a stated public value and the date."""
    return hashlib.sha256(f"{public_value.strip()}|{seed_date.isoformat()}".encode()).hexdigest()


def draw_key(seed: str, case_id: int) -> str:
    return hashlib.sha256(f"{seed}:{case_id}".encode()).hexdigest()


@dataclass
class Draw:
    """The outcome of a draw: (department id, group) → [(case id, key)] in rank order; the
    candidate counts; the excluded files with their reason."""

    picks: dict[tuple[int, str], list[tuple[int, str]]] = field(default_factory=dict)
    candidates: dict[tuple[int, str], int] = field(default_factory=dict)
    excluded: dict[int, tuple[tuple[int, str], str]] = field(default_factory=dict)

    def case_ids(self) -> set[int]:
        return {cid for rows in self.picks.values() for cid, _k in rows}


def exclusion_reason(reconsideration: str, litigation: str) -> str:
    parts = []
    if reconsideration != ReconsiderationState.NONE:
        parts.append(_("行政复议（%(s)s）") % {"s": ReconsiderationState(reconsideration).label})
    if litigation != LitigationState.NONE:
        parts.append(_("行政诉讼（%(s)s）") % {"s": LitigationState(litigation).label})
    return _("REV-12：%(p)s，不予评查") % {"p": "、".join(parts)}


def campaign_region_ids(region_id: int) -> list[int]:
    """The campaign's region and every region under it (a province's cities and counties): a
    campaign of a region with child regions covers all their departments. One query per level."""
    ids, frontier = [region_id], [region_id]
    while frontier:
        frontier = list(Region.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def _candidates(campaign: InspectionCampaign, region_ids: list[int]):
    """Closed files of the period in the campaign's departments whose category has a group."""
    departments = Department.objects.filter(region_id__in=region_ids).values("pk")
    return CaseFile.objects.filter(
        department_id__in=departments,
        closed_on__gte=campaign.period_start,
        closed_on__lte=campaign.period_end,
    ).exclude(category__sampling_group="")


def compute_draw(campaign: InspectionCampaign) -> Draw:
    """The deterministic draw for ``campaign`` from the current files, over the departments of
    its region and of the regions under it (a province campaign draws in every county).

    On PostgreSQL the ranking runs in the database (performance.md target 7: the whole province
    in one window query, not a Python loop over every candidate); elsewhere in Python. Both rank
    by the same key, ``sha256(seed:id)``, so ``verify_sample`` agrees whichever ran the draw."""
    from django.db import connection

    region_ids = campaign_region_ids(campaign.region_id)
    if connection.vendor == "postgresql":
        return _compute_draw_sql(campaign, region_ids)
    return _compute_draw_python(campaign, region_ids)


def _compute_draw_python(campaign: InspectionCampaign, region_ids: list[int]) -> Draw:
    """The draw ranked in Python (one query; every candidate's key computed here)."""
    rows = _candidates(campaign, region_ids).values_list(
        "pk", "department_id", "category__sampling_group", "reconsideration", "litigation"
    )
    draw = Draw()
    pools: dict[tuple[int, str], list[tuple[str, int]]] = defaultdict(list)
    for pk, dept_id, group, reconsideration, litigation in rows:
        stratum = (dept_id, group)
        if reconsideration != ReconsiderationState.NONE or litigation != LitigationState.NONE:
            draw.excluded[pk] = (stratum, exclusion_reason(reconsideration, litigation))
            pools.setdefault(stratum, [])
            continue
        pools[stratum].append((draw_key(campaign.seed, pk), pk))
    for stratum, pool in pools.items():
        pool.sort()
        draw.candidates[stratum] = len(pool)
        draw.picks[stratum] = [(pk, key) for key, pk in pool[: campaign.sample_size]]
    return draw


def _compute_draw_sql(campaign: InspectionCampaign, region_ids: list[int]) -> Draw:
    """The same draw ranked by PostgreSQL in one scan: ``sha256`` of the UTF-8 bytes of
    ``seed:id`` in byte order (= the order of the hex digests; ties, impossible, broken by id as
    in Python). Within each unit × group the REV-12 exclusions sort after every candidate, so
    the first N rows are the picks; the excluded rows come back with their states."""
    from django.db import connection

    none = ReconsiderationState.NONE
    columns = (
        _candidates(campaign, region_ids)
        .order_by()
        .values_list("pk", "department_id", "category__sampling_group", "reconsideration", "litigation")
    )
    inner_sql, inner_params = columns.query.sql_with_params()
    sql = (
        "SELECT id, department_id, grp, encode(h, 'hex'), n, excl, reconsideration, litigation FROM ("
        " SELECT e.*, ROW_NUMBER() OVER w AS rn,"
        " COUNT(*) FILTER (WHERE NOT e.excl) OVER (PARTITION BY e.department_id, e.grp) AS n"
        " FROM (SELECT q.*, sha256(convert_to(%s || ':' || q.id::text, 'UTF8')) AS h,"
        " (q.reconsideration <> %s OR q.litigation <> %s) AS excl"
        f" FROM ({inner_sql}) AS q (id, department_id, grp, reconsideration, litigation)) AS e"
        " WINDOW w AS (PARTITION BY e.department_id, e.grp ORDER BY e.excl, e.h, e.id)"
        ") AS ranked WHERE excl OR rn <= %s"
    )
    params = [campaign.seed, none, LitigationState.NONE, *inner_params, campaign.sample_size]
    draw = Draw()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for pk, dept_id, group, key, n, excluded, reconsideration, litigation in rows:
        stratum = (dept_id, group)
        draw.candidates[stratum] = n
        picks = draw.picks.setdefault(stratum, [])
        if excluded:
            draw.excluded[pk] = (stratum, exclusion_reason(reconsideration, litigation))
        else:
            picks.append((pk, key))
    for picks in draw.picks.values():
        picks.sort(key=lambda row: (row[1], row[0]))
    return draw


def _require_bureau(user) -> None:
    scope = scope_for(user)
    if scope.is_read_only or not scope.has(Role.BUREAU_STAFF) or scope.region_id is None:
        raise DomainError(_("层级监督检查由司法局组织：只有司法局工作人员可以操作（REV-10）。"), rule_id="REV-10")


@transaction.atomic
def campaign_create(
    *,
    by,
    title: str,
    year: int,
    kind: str,
    period_start: datetime.date,
    period_end: datetime.date,
    public_value: str,
    seed_date: datetime.date,
) -> InspectionCampaign:
    """REV-10: the bureau opens an inspection; REV-11: the seed is fixed (and shown) now,
    before any draw."""
    _require_bureau(by)
    if period_end < period_start:
        raise DomainError(_("抽查期间的结束日期不能早于开始日期。"), rule_id="REV-11")
    if not public_value.strip():
        raise DomainError(
            _("请填写公开随机数来源（例如某日公布的数值），以便任何人复核抽样（REV-11）。"), rule_id="REV-11"
        )
    campaign = InspectionCampaign(
        region_id=scope_for(by).region_id,
        year=year,
        kind=kind,
        title=title.strip(),
        period_start=period_start,
        period_end=period_end,
        public_value=public_value.strip(),
        seed_date=seed_date,
        seed=make_seed(public_value, seed_date),
        sample_size=rule("REV_11_SAMPLE_SIZE"),
        created_by=by,
    )
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def campaign_add_member(*, campaign: InspectionCampaign, by, officer: Officer, role: str) -> ReviewGroupMember:
    """REV-16: review group membership; seconded staff come from units (REV-10)."""
    _require_bureau(by)
    if officer.region_id != campaign.region_id:
        raise DomainError(_("评查组成员须是本县人员。"), rule_id="REV-16")
    if ReviewGroupMember.objects.filter(campaign=campaign, officer=officer).exists():
        raise DomainError(_("%(n)s 已在评查组中。") % {"n": officer.name}, rule_id="REV-16")
    member = ReviewGroupMember(campaign=campaign, officer=officer, role=role)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def campaign_draw(*, campaign: InspectionCampaign, by) -> Draw:
    """REV-11: draw the sample once, store it with its strata and REV-12 exclusions."""
    _require_bureau(by)
    campaign = InspectionCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.drawn_at:
        raise DomainError(_("本次检查已经抽样，不能重抽；可在页面上复核抽样结果（REV-11）。"), rule_id="REV-11")
    draw = compute_draw(campaign)
    SampleStratum.objects.bulk_create(
        [
            SampleStratum(
                campaign=campaign,
                department_id=dept,
                group=group,
                candidates=draw.candidates.get((dept, group), 0),
                drawn=len(draw.picks.get((dept, group), [])),
                excluded=sum(1 for s, _r in draw.excluded.values() if s == (dept, group)),
            )
            for dept, group in sorted(set(draw.candidates) | {s for s, _r in draw.excluded.values()})
        ]
    )
    SampledFile.objects.bulk_create(
        [
            SampledFile(campaign=campaign, case_file_id=pk, group=group, rank=rank, key=key)
            for (dept, group), rows in draw.picks.items()
            for rank, (pk, key) in enumerate(rows, start=1)
        ]
    )
    SampleExclusion.objects.bulk_create(
        [
            SampleExclusion(campaign=campaign, case_file_id=pk, reason=reason)
            for pk, (_s, reason) in draw.excluded.items()
        ]
    )
    campaign.candidates = candidate_rows(campaign)
    campaign.candidates_digest = candidates_digest(campaign, campaign.candidates)
    campaign.drawn_at = timezone.now()
    campaign.save(update_fields=["drawn_at", "candidates", "candidates_digest"])
    return draw


def candidate_rows(campaign: InspectionCampaign) -> list[list]:
    """Every candidate of the draw as it stands now: [case id, department id, group, excluded
    (REV-12)], in id order. Stored with the draw."""
    rows = (
        _candidates(campaign, campaign_region_ids(campaign.region_id))
        .order_by("pk")
        .values_list("pk", "department_id", "category__sampling_group", "reconsideration", "litigation")
    )
    return [
        [pk, dept, group, reconsideration != ReconsiderationState.NONE or litigation != LitigationState.NONE]
        for pk, dept, group, reconsideration, litigation in rows
    ]


def candidates_digest(campaign: InspectionCampaign, rows: list[list]) -> str:
    """Keyed digest (``AUDIT_HMAC_KEY``) of the stored candidates with the seed and sample size."""
    payload = json.dumps(
        {"campaign": campaign.pk, "seed": campaign.seed, "size": campaign.sample_size, "candidates": rows},
        sort_keys=True,
        separators=(",", ":"),
    )
    return keyed_hexdigest("reviews.campaign:" + payload)


def draw_from_candidates(seed: str, sample_size: int, rows: list[list]) -> set[int]:
    """The draw over stored candidates: the same rule as ``compute_draw`` (per unit × group, by
    ``sha256(seed:id)``, the first N; excluded files never drawn)."""
    pools: dict[tuple[int, str], list[tuple[str, int]]] = defaultdict(list)
    for pk, dept, group, excluded in rows:
        if not excluded:
            pools[(dept, group)].append((draw_key(seed, pk), pk))
    return {pk for pool in pools.values() for _key, pk in sorted(pool)[:sample_size]}


@dataclass
class Verification:
    same: bool
    stored: set[int]
    recomputed: set[int]
    # False when the stored candidate list no longer matches its keyed digest.
    candidates_intact: bool = True
    # True when the draw was re-run from the candidates stored at the draw (not the live files).
    from_stored_candidates: bool = False

    @property
    def missing(self) -> set[int]:
        return self.stored - self.recomputed

    @property
    def extra(self) -> set[int]:
        return self.recomputed - self.stored


def campaign_verify(campaign: InspectionCampaign) -> Verification:
    """Re-run the draw from the recorded seed and compare with the stored sample. A campaign drawn
    with its candidates stored is re-run from them (their keyed digest checked first), so a case
    file legitimately changed after the draw does not make it fail; one drawn before they were
    stored is re-run from the current files."""
    stored = set(SampledFile.objects.filter(campaign=campaign).values_list("case_file_id", flat=True))
    if campaign.candidates_digest:
        intact = same(candidates_digest(campaign, campaign.candidates), campaign.candidates_digest)
        recomputed = draw_from_candidates(campaign.seed, campaign.sample_size, campaign.candidates)
        return Verification(intact and stored == recomputed, stored, recomputed, intact, True)
    recomputed = compute_draw(campaign).case_ids()
    return Verification(stored == recomputed, stored, recomputed)


@transaction.atomic
def sampled_file_assign(*, sample: SampledFile, by, reviewer: Officer) -> SampledFile:
    """REV-10: a review-group member never reviews files of their own unit."""
    _require_bureau(by)
    sample = SampledFile.objects.select_for_update().select_related("case_file").get(pk=sample.pk)
    if not ReviewGroupMember.objects.filter(campaign_id=sample.campaign_id, officer=reviewer).exists():
        raise DomainError(_("评查人须是本次检查评查组的成员（REV-16）。"), rule_id="REV-16")
    if reviewer.department_id == sample.case_file.department_id:
        raise DomainError(
            _("%(name)s 来自被抽查单位，不能评查本单位的案卷（REV-10）。") % {"name": reviewer.name}, rule_id="REV-10"
        )
    sample.reviewer = reviewer
    sample.save(update_fields=["reviewer"])
    return sample


@transaction.atomic
def sampled_file_grade(
    *, sample: SampledFile, by, findings: dict, problems: str, self_review_quality: str
) -> SampledFile:
    """REV-11: the assigned reviewer grades the file with the same checklist (REV-13/14/15)
    and grades the unit's self-review of it."""
    from . import scoring
    from .services import current_template

    sample = (
        SampledFile.objects.select_for_update(of=("self",)).select_related("case_file", "reviewer").get(pk=sample.pk)
    )
    officer = getattr(by, "officer", None)
    if officer is None or sample.reviewer_id != officer.pk:
        raise DomainError(_("只有分派的评查人本人可以评查该案卷（REV-11）。"), rule_id="REV-11")
    if officer.department_id == sample.case_file.department_id:
        raise DomainError(_("评查人不能评查本单位的案卷（REV-10）。"), rule_id="REV-10")
    template = current_template(sample.case_file.category_id)
    if template is None:
        raise DomainError(_("该类别没有评查标准（REV-14）。"), rule_id="REV-14")
    result = scoring.compute(list(template.items.all()), {k: (f, d) for k, (f, d, _r) in findings.items()})
    sample.score, sample.veto_failed, sample.grade = result.score, result.veto_failed, result.grade
    sample.findings = {str(k): [f, str(d), r] for k, (f, d, r) in findings.items()}
    sample.problems = problems.strip()
    sample.self_review_quality = self_review_quality
    sample.graded_at = timezone.now()
    sample.full_clean()
    sample.save()
    return sample


@transaction.atomic
def campaign_record_refusal(*, campaign: InspectionCampaign, by, department, kind: str, note: str) -> InspectionRefusal:
    """REV-17: the bureau records that a unit refused the inspection or did not cooperate; the
    unit's annual assessment for the campaign's year is flagged with that reason."""
    _require_bureau(by)
    if department.region_id != campaign.region_id:
        raise DomainError(_("只能记录本县的单位。"), rule_id="REV-17")
    if not note.strip():
        raise DomainError(_("请写明拒绝或不配合检查的情况（REV-17）。"), rule_id="REV-17")
    if InspectionRefusal.objects.filter(campaign=campaign, department=department).exists():
        raise DomainError(_("%(d)s 在本次检查中已有记录。") % {"d": department}, rule_id="REV-17")
    refusal = InspectionRefusal(
        campaign=campaign,
        department=department,
        kind=kind,
        note=note.strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    refusal.full_clean()
    refusal.save()
    return refusal


def inspection_missing(region_id: int, today: datetime.date) -> bool:
    """REV-10: from 1 October, a year without an inspection campaign is flagged."""
    if (today.month, today.day) < tuple(rule("REV_10_FLAG_FROM")):
        return False
    return not InspectionCampaign.objects.filter(region_id=region_id, year=today.year).exists()
