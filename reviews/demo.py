"""Demo data of the review room (dotted path ``reviews.demo.build``; ``reviews.demo.reset``
removes it). For the demo county: self-review records of most transferred files (locked with
both sign-offs and a digest; a few submitted awaiting signature, a few drafts), a handful of
written notices with their PDFs for the demo handler, last year's inspection campaign with its
verifiable draw, and last year's half-year summaries. Rows are bulk-inserted; digests are
computed from the in-memory rows exactly as ``services.canonical_content`` reads them back."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model

from cases.models import CaseFile
from xian_enforcement.org.choices import Role

from . import sampling, scoring, services
from .choices import ItemKind, ReviewStatus
from .models import (
    ChecklistTemplate,
    InspectionCampaign,
    ReviewFinding,
    ReviewNotice,
    ReviewSignature,
    SelfReview,
    SemiAnnualSummary,
)

REASONS = [
    "立案审批表缺少负责人签字",
    "询问笔录未载明出示执法证件",
    "证据清单与卷内材料不一致",
    "未告知当事人陈述申辩权利",
    "决定书未载明救济途径",
    "送达回证无受送达人签名",
    "卷内目录、页码不全",
    "调查终结报告意见不明确",
]
PROBLEMS = ["卷宗装订不规范，页码缺失", "部分证据未注明来源", "文书用语不规范", "执行材料不齐全"]
ONE = Decimal("0.1")


def _dt(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(1, 9), rng.randint(0, 59)), tzinfo=datetime.UTC)


def build(county, *, cases=None, rng: random.Random) -> dict[str, int]:
    today = county.today
    User = get_user_model()
    templates = {t.category_id: t for t in ChecklistTemplate.objects.filter(is_active=True).order_by("version")}
    items = {t.pk: list(t.items.all()) for t in templates.values()}
    people = {}
    for dept_id, officers in county.officers.items():
        heads = {}
        for o in officers:
            for role in (Role.LEGAL_OFFICER, Role.LEGAL_HEAD, Role.UNIT_HEAD):
                if role in o.roles and role not in heads:
                    heads[role] = o
        people[dept_id] = heads
    files = list(
        CaseFile.objects.filter(
            department__in=county.departments,
            transferred_for_review_on__isnull=False,
            reconsideration="none",
            litigation="none",
            category_id__in=templates,
        ).values("pk", "number", "department_id", "category_id", "transferred_for_review_on", "closed_on")
    )
    # The demo legal officer's department keeps its latest transferred files in the queue (three
    # to start, two awaiting the heads' signatures) so that every step can be tried.
    legal = county.demo.get("demo_legal")
    demo_dept = legal.department_id if legal else None
    latest = sorted(
        (f for f in files if f["department_id"] == demo_dept),
        key=lambda f: f["transferred_for_review_on"],
        reverse=True,
    )
    untouched = {f["pk"] for f in latest[:3]}
    awaiting = {f["pk"] for f in latest[3:5]}
    reviews, plan = [], []
    for f in files:
        if f["pk"] in untouched:
            continue
        heads = people.get(f["department_id"], {})
        reviewer = heads.get(Role.LEGAL_OFFICER) or heads.get(Role.LEGAL_HEAD)
        if reviewer is None:
            continue
        age = (today - f["transferred_for_review_on"]).days
        if age < 10 and rng.random() < 0.7:
            continue  # recently transferred: still in the queue
        status = ReviewStatus.LOCKED
        if age < 40:
            status = rng.choice([ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, ReviewStatus.LOCKED])
        if f["pk"] in awaiting:
            status = ReviewStatus.SUBMITTED
        template = templates[f["category_id"]]
        scored = [i for i in items[template.pk] if i.kind == ItemKind.SCORED]
        veto = [i for i in items[template.pk] if i.kind == ItemKind.VETO]
        findings = {}
        roll = rng.random()
        if roll < 0.03:
            item = rng.choice(veto)
            findings[item.pk] = (True, Decimal("0.0"), item.text.split("（")[0])
        else:
            for item in rng.sample(scored, k=rng.choice([0, 0, 1, 1, 2, 3, 4, 6])):
                d = min(item.points, Decimal(rng.choice([1, 2, 2, 3, 5, 8])))
                findings[item.pk] = (False, d.quantize(ONE), rng.choice(REASONS))
        result = scoring.compute(items[template.pk], {k: (a, b) for k, (a, b, _c) in findings.items()})
        submitted = _dt(f["transferred_for_review_on"] + datetime.timedelta(days=rng.randint(2, 9)), rng)
        if submitted.date() > today:
            submitted = _dt(today, rng)
        review = SelfReview(
            case_file_id=f["pk"],
            department_id=f["department_id"],
            template=template,
            reviewer_id=reviewer.user_id,
            reviewer_name=reviewer.name,
            status=status,
            problems_procedure="；".join(r for _a, _b, r in findings.values()) if findings else "",
            problems_substance=rng.choice(PROBLEMS) if result.score < 80 else "",
            score=result.score.quantize(ONE),
            veto_failed=result.veto_failed,
            grade=result.grade,
            year=f["closed_on"].year,
            submitted_at=submitted if status != ReviewStatus.DRAFT else None,
            locked_at=submitted + datetime.timedelta(days=rng.randint(1, 6)) if status == ReviewStatus.LOCKED else None,
        )
        reviews.append(review)
        plan.append((f, findings, heads))
    SelfReview.objects.bulk_create(reviews, batch_size=500)
    finding_rows, signature_rows, digests = [], [], []
    for review, (_f, findings, heads) in zip(reviews, plan, strict=True):
        rows = [
            ReviewFinding(review=review, item_id=k, failed=a, deduction=b, reason=c)
            for k, (a, b, c) in findings.items()
        ]
        finding_rows += rows
        sigs = []
        if review.status != ReviewStatus.DRAFT:
            for role in (Role.LEGAL_HEAD, Role.UNIT_HEAD):
                head = heads.get(role)
                if head is None or (review.status == ReviewStatus.SUBMITTED and role == Role.UNIT_HEAD):
                    continue
                when = (review.locked_at or review.submitted_at).replace(microsecond=0)
                sigs.append(
                    ReviewSignature(
                        review=review, role=role, user_id=head.user_id, signer_name=head.name, signed_at=when
                    )
                )
        if review.status == ReviewStatus.LOCKED and len(sigs) < 2:
            review.status, review.locked_at = ReviewStatus.SUBMITTED, None
        signature_rows += sigs
        digests.append((review, rows, sigs))
    ReviewFinding.objects.bulk_create(finding_rows, batch_size=1000)
    ReviewSignature.objects.bulk_create(signature_rows, batch_size=1000)
    # REV-7: submitted and locked records keep the file as reviewed; locked ones get their keyed
    # digest; every signed record's digest is sealed in the audit chain (one row per 500 records).
    snapshots = services.case_snapshots(r.case_file_id for r in reviews if r.status != ReviewStatus.DRAFT)
    seals = {"sign": [], "lock": []}
    for review, rows, sigs in digests:
        if review.status == ReviewStatus.DRAFT:
            continue
        review.case_snapshot = snapshots[review.case_file_id]
        content = services.canonical_payload(
            review,
            review.case_snapshot,
            [(r.item_id, r.failed, r.deduction, r.reason) for r in rows],
            [(s.role, s.user_id, s.signer_name, s.signed_at) for s in sigs],
        )
        if review.status == ReviewStatus.LOCKED:
            review.digest = services.digest_of(content)
            seals["lock"].append((review.pk, review.digest))
        elif sigs:
            seals["sign"].append((review.pk, services.digest_of(content)))
    for stage, records in seals.items():
        for start in range(0, len(records), 500):
            services.seal_in_chain(stage=stage, records=records[start : start + 500], detail={"demo": True})
    SelfReview.objects.bulk_update(reviews, ["digest", "status", "locked_at", "case_snapshot"], batch_size=500)

    # Written notices with real PDFs for the demo handler's latest locked records.
    handler = county.demo.get("demo_handler")
    notices = 0
    if handler is not None:
        mine = (
            SelfReview.objects.filter(case_file__main_handler_id=handler.officer_id, status=ReviewStatus.LOCKED)
            .select_related("case_file__main_handler__user", "case_file__department")
            .order_by("-locked_at")[:3]
        )
        for review in mine:
            services._deliver_notice(review)
            notices += 1

    # Last year's inspection with its published seed and draw; this year's not yet held (REV-10).
    campaigns = 0
    bureau = county.demo.get("demo_bureau")
    if bureau is not None:
        by = User.objects.get(pk=bureau.user_id)
        last = today.year - 1
        seed_date = datetime.date(last, 9, 1)
        campaign = sampling.campaign_create(
            by=by,
            title=f"{last} 年度层级监督检查",
            year=last,
            kind="regular",
            period_start=datetime.date(last, 1, 1),
            period_end=datetime.date(last, 8, 31),
            public_value=f"{seed_date.isoformat()} 上证综指收盘 3{rng.randint(100, 499)}.{rng.randint(10, 99)}",
            seed_date=seed_date,
        )
        sampling.campaign_draw(campaign=campaign, by=by)
        campaigns = 1

    # Last year's half-year summaries: most on time, a few late or missing (REV-9).
    summaries = []
    for dept in county.departments:
        for half in (1, 2):
            if rng.random() < 0.12:
                continue
            due = datetime.date(today.year - 1, 7, 15) if half == 1 else datetime.date(today.year, 1, 15)
            if due > today:
                continue
            late = rng.random() < 0.15
            submitted = due + datetime.timedelta(days=rng.randint(1, 20) if late else -rng.randint(0, 10))
            summaries.append(
                SemiAnnualSummary(
                    department=dept,
                    year=today.year - 1,
                    half=half,
                    text=f"{dept.short_name}{'上' if half == 1 else '下'}半年案卷自查工作总结：按期完成移交案卷自查，主要问题为文书不规范、证据说明不充分，已组织整改。",
                    figures={},
                    submitted_at=_dt(submitted, rng),
                    due_date=due,
                    received_at=_dt(submitted + datetime.timedelta(days=3), rng) if not late else None,
                )
            )
    SemiAnnualSummary.objects.bulk_create(summaries)
    return {
        "self_reviews": len(reviews),
        "review_findings": len(finding_rows),
        "review_notices": notices,
        "inspection_campaigns": campaigns,
        "half_year_summaries": len(summaries),
    }


def reset(departments) -> dict[str, int]:
    """Delete the review room's demo data for ``departments``."""
    reviews = SelfReview.objects.filter(case_file__department__in=departments)
    for notice in ReviewNotice.objects.filter(review__in=reviews):
        notice.pdf.delete(save=False)
    ReviewNotice.objects.filter(review__in=reviews).delete()
    n = reviews.delete()[1].get(SelfReview._meta.label, 0)
    region_ids = {d.region_id for d in departments}
    campaigns = (
        InspectionCampaign.objects.filter(region_id__in=region_ids).delete()[1].get(InspectionCampaign._meta.label, 0)
    )
    summaries = SemiAnnualSummary.objects.filter(department__in=departments).delete()[0]
    return {"self_reviews": n, "inspection_campaigns": campaigns, "half_year_summaries": summaries}
