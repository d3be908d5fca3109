"""REV-7 re-review (重新评查) of a record whose case file was amended after review.

An amendment (更正) of a final file marks its submitted or locked self-review record
"案卷在评查后被更正" and puts it in the legal office's queue. The legal office of the file's
department (法制机构人员, 法制机构负责人) reads the amendments and confirms in writing that the
record still stands: a ``SelfReviewRecheck`` row (the reason, the amendments read, who, when),
an audit row, and the mark cleared so that the queue empties. The record's status, score,
findings, signatures and digest are never changed (REV-7 finality).

Why a confirmation and not a new record version: a file has exactly one record
(``SelfReview.case_file`` is one-to-one, ``self_review_start`` refuses a second), and REV-6
coverage, the grade counts, the semi-annual summary figures and the annual assessment all join
a file to its one record; a second, superseded locked record would count twice wherever those
joins are not taught to skip it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import CaseFileAmendment
from xian_enforcement.audit.services import EventType, audit_event_record
from xian_enforcement.errors import DomainError

from .choices import ReviewStatus
from .models import SelfReview, SelfReviewRecheck
from .selectors import can_write_review_of


def can_recheck(user, review: SelfReview) -> bool:
    """The legal office of the record's department, on a record marked "案卷在评查后被更正"."""
    return review.case_amended and can_write_review_of(user, review.case_file)


def pending_amendments(review: SelfReview) -> list[CaseFileAmendment]:
    """The amendments of the record's file not yet answered by a re-review, oldest first."""
    qs = CaseFileAmendment.objects.filter(case_file_id=review.case_file_id)
    last = review.rechecks.order_by("-rechecked_at", "-id").values_list("rechecked_at", flat=True).first()
    if last is not None:
        qs = qs.filter(amended_at__gt=last)
    return list(qs.order_by("amended_at", "id"))


def rechecks_of(review: SelfReview) -> list[SelfReviewRecheck]:
    """The record's re-reviews, newest first (shown on the record page)."""
    return list(review.rechecks.order_by("-rechecked_at", "-id"))


@transaction.atomic
def self_review_recheck(
    *, review: SelfReview, by, reason: str, seen_amendment_id: int | None = None
) -> SelfReviewRecheck:
    """REV-7: the legal office confirms, after reading the amendments, that the record of an
    amended file still stands. A reason is required. ``seen_amendment_id`` is the latest
    amendment the user was shown (the page posts it): a file amended again since then is
    refused, so nobody confirms an amendment they have not read."""
    review = SelfReview.objects.select_for_update().select_related("case_file").get(pk=review.pk)
    if not can_write_review_of(by, review.case_file):
        raise DomainError(_("只有本部门法制机构人员或法制机构负责人可以重新评查（REV-7）。"), rule_id="REV-7")
    if not review.case_amended or review.status == ReviewStatus.DRAFT:
        raise DomainError(_("该自查记录没有待重新评查的案卷更正（REV-7）。"), rule_id="REV-7")
    amendments = pending_amendments(review)
    latest = amendments[-1].pk if amendments else None
    if seen_amendment_id is not None and seen_amendment_id != latest:
        raise DomainError(_("您打开页面后案卷又被更正，请先查看最新的更正记录，再重新评查（REV-7）。"), rule_id="REV-7")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("重新评查须写明意见：看过哪些更正、原评查结论为何仍然成立（REV-7）。"), rule_id="REV-7", field="reason"
        )
    officer = getattr(by, "officer", None)
    recheck = SelfReviewRecheck.objects.create(
        review=review,
        reason=reason,
        amendment_ids=[a.pk for a in amendments],
        review_status=review.status,
        case_amended_at=review.case_amended_at,
        rechecked_by=by,
        rechecked_by_name=officer.name if officer else by.get_username(),
        rechecked_at=timezone.now(),
    )
    # Only the mark (not covered by the digest) changes; the record stays as signed.
    review.case_amended = False
    review.save(update_fields=["case_amended"])
    audit_event_record(
        event_type=EventType.STATE_CHANGE,
        user=by,
        obj=review,
        detail={
            "rule": "REV-7",
            "action": "self_review_rechecked",
            "review": review.pk,
            "case_file": review.case_file_id,
            "recheck": recheck.pk,
            "review_status": review.status,
            "amendments": recheck.amendment_ids,
            "reason": reason,
        },
    )
    return recheck
