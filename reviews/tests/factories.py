"""Factories of the review room, on top of tests/factories.py."""

from __future__ import annotations

import datetime

from reviews import services
from reviews.choices import ItemKind
from reviews.models import ChecklistTemplate, SelfReview
from tests.factories import CaseFileFactory


def reviewable_file(department, **kwargs):
    """A closed file transferred to the legal office (REV-5), ready for self-review."""
    defaults = {
        "filed_on": datetime.date(2026, 3, 2),
        "closed_on": datetime.date(2026, 5, 1),
        "status": "closed",
        "transferred_for_review_on": datetime.date(2026, 5, 10),
    }
    return CaseFileFactory(department=department, **(defaults | kwargs))


def template_for(case) -> ChecklistTemplate:
    return ChecklistTemplate.objects.filter(category=case.category, is_active=True).order_by("-version").first()


def scored_items(template):
    return [i for i in template.items.all() if i.kind == ItemKind.SCORED]


def veto_items(template):
    return [i for i in template.items.all() if i.kind == ItemKind.VETO]


def submitted_review(case, reviewer, *, findings=None, problems="卷内询问笔录缺少签名") -> SelfReview:
    review = services.self_review_start(case_file=case, by=reviewer)
    services.self_review_save(
        review=review, by=reviewer, findings=findings or {}, problems_substance="", problems_procedure=problems
    )
    return services.self_review_submit(review=review, by=reviewer)


def locked_review(case, users, **kwargs) -> SelfReview:
    review = submitted_review(case, users["legal_officer"], **kwargs)
    services.self_review_sign(review=review, by=users["legal_head"], role="legal_head")
    services.self_review_sign(review=review, by=users["unit_head"], role="unit_head")
    review.refresh_from_db()
    return review
