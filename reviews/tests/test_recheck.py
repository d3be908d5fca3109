"""REV-7 re-review (重新评查) after an amendment: the legal office of the file's department reads
the amendments of a record marked "案卷在评查后被更正" and confirms in writing that the record
still stands. The record — status, score, findings, signatures, digest — is not changed; the
confirmation is kept (``SelfReviewRecheck``) and audited, the mark is cleared and the queue list
"案卷在评查后被更正，待重新评查" empties. Nobody else may do it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from cases import services as case_services
from cases.models import CaseFileAmendment
from reviews import recheck, services
from reviews.models import ReviewSignature, SelfReview, SelfReviewRecheck
from reviews.tests.test_finality import frozen_file
from tests.factories import certified_officer
from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.errors import DomainError

pytestmark = pytest.mark.django_db

REASON = "已阅看更正：罚款金额系录入错误，按决定书原件更正，评查所依据的卷内文书未变，原得分和等次仍然成立"


def amend(case, users, *, fine="800", who="legal_officer"):
    case.refresh_from_db()
    return case_services.case_file_amend(
        case_file=case,
        data={"fine_amount": Decimal(fine)},
        co_handlers=list(case.co_handlers.all()),
        reason=f"罚款金额录入错误，更正为 {fine} 元",
        by=users[who],
    )


def amended_record(state, dept, users) -> SelfReview:
    case = frozen_file(state, dept, users)
    amend(case, users)
    review = SelfReview.objects.get(case_file=case)
    assert review.case_amended
    return review


def snapshot(review: SelfReview) -> tuple:
    """Everything of the record but the mark: its row and its signatures."""
    row = SelfReview.objects.values().get(pk=review.pk)
    row.pop("case_amended")
    sigs = list(ReviewSignature.objects.filter(review=review).order_by("pk").values())
    return row, sigs


def recheck_post(client, review, reason=REASON, **extra):
    data = {"reason": reason, **extra}
    if "amendment" not in data:
        latest = recheck.pending_amendments(review)
        data["amendment"] = latest[-1].pk if latest else ""
    return client.post(reverse("reviews:recheck", args=[review.pk]), data)


@pytest.mark.parametrize("state", ["locked", "submitted"])
@pytest.mark.parametrize("role", ["legal_officer", "legal_head"])
def test_rev_7_legal_office_rechecks_an_amended_record_which_stays_as_signed(client, users, dept, state, role):
    review = amended_record(state, dept, users)
    before = snapshot(review)
    client.force_login(users[role])

    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert 'id="recheck"' in page and reverse("reviews:recheck", args=[review.pk]) in page
    assert "罚款金额录入错误" in page  # the pending amendment is shown to be read
    queue = client.get(reverse("reviews:index")).content.decode()
    assert 'id="amended-table"' in queue and review.case_file.number in queue

    response = recheck_post(client, review)
    assert response.status_code == 302

    review.refresh_from_db()
    assert not review.case_amended
    assert snapshot(review) == before  # status, score, findings' result, digest, signatures unchanged
    assert review.status == state
    if state == "locked":
        assert services.verify(review)

    row = SelfReviewRecheck.objects.get(review=review)
    assert row.reason == REASON
    assert row.rechecked_by == users[role]
    assert row.review_status == state
    assert row.amendment_ids == list(
        CaseFileAmendment.objects.filter(case_file=review.case_file).values_list("pk", flat=True)
    )
    assert row.case_amended_at == review.case_amended_at

    event = AuditEvent.objects.filter(detail__action="self_review_rechecked").get()
    assert event.user == users[role]
    assert event.detail["rule"] == "REV-7"
    assert event.detail["review"] == review.pk
    assert event.detail["recheck"] == row.pk
    assert event.detail["amendments"] == row.amendment_ids
    assert event.detail["reason"] == REASON

    queue = client.get(reverse("reviews:index")).content.decode()
    assert 'id="amended-table"' not in queue  # the queue list is empty again
    assert not recheck_queue(users[role]).exists()
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert 'id="case-amended"' not in page and 'id="recheck"' not in page
    assert 'id="rechecks"' in page and REASON in page  # the re-review is kept on the record


def recheck_queue(user):
    from reviews.selectors import amended_after_review

    return amended_after_review(user)


@pytest.mark.parametrize("role", ["handler", "unit_head", "party_member", "leader", "bureau_staff", "review_group"])
def test_rev_7_only_the_units_legal_office_rechecks_readers_get_403(client, users, dept, role):
    review = amended_record("locked", dept, users)
    client.force_login(users[role])
    page = client.get(reverse("reviews:detail", args=[review.pk]))
    assert page.status_code == 200
    assert reverse("reviews:recheck", args=[review.pk]) not in page.content.decode()
    assert recheck_post(client, review).status_code == 403
    with pytest.raises(DomainError) as exc:
        recheck.self_review_recheck(review=review, by=users[role], reason=REASON)
    assert exc.value.rule_id == "REV-7"
    review.refresh_from_db()
    assert review.case_amended
    assert not SelfReviewRecheck.objects.exists()
    assert not AuditEvent.objects.filter(detail__action="self_review_rechecked").exists()


def test_rev_7_another_units_legal_office_gets_404(client, users, dept, other_dept):
    review = amended_record("locked", dept, users)
    outsider = certified_officer(other_dept, roles=["legal_officer"]).user
    client.force_login(outsider)
    assert recheck_post(client, review).status_code == 404
    with pytest.raises(DomainError):
        recheck.self_review_recheck(review=review, by=outsider, reason=REASON)
    review.refresh_from_db()
    assert review.case_amended
    assert not SelfReviewRecheck.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_rev_7_recheck_without_a_reason_is_refused(client, users, dept, reason):
    review = amended_record("locked", dept, users)
    client.force_login(users["legal_officer"])
    response = recheck_post(client, review, reason=reason)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.case_amended
    assert not SelfReviewRecheck.objects.exists()
    follow = client.get(response["Location"]).content.decode()
    assert "重新评查须写明意见" in follow


def test_rev_7_a_record_not_amended_has_nothing_to_recheck(client, users, dept):
    case = frozen_file("locked", dept, users)
    review = SelfReview.objects.get(case_file=case)
    client.force_login(users["legal_officer"])
    assert 'id="recheck"' not in client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    with pytest.raises(DomainError) as exc:
        recheck.self_review_recheck(review=review, by=users["legal_officer"], reason=REASON)
    assert exc.value.rule_id == "REV-7"
    assert recheck_post(client, review).status_code == 302
    assert not SelfReviewRecheck.objects.exists()


def test_rev_7_recheck_refused_when_the_file_was_amended_again_since_the_page_was_read(client, users, dept):
    review = amended_record("locked", dept, users)
    seen = recheck.pending_amendments(review)[-1].pk
    amend(review.case_file, users, fine="900", who="legal_head")  # a second amendment meanwhile
    client.force_login(users["legal_officer"])
    response = recheck_post(client, review, amendment=seen)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.case_amended
    assert not SelfReviewRecheck.objects.exists()
    assert "又被更正" in client.get(response["Location"]).content.decode()


def test_rev_7_a_later_amendment_marks_the_record_again_and_the_next_recheck_covers_only_it(users, dept):
    review = amended_record("locked", dept, users)
    first = recheck.self_review_recheck(review=review, by=users["legal_officer"], reason=REASON)
    assert recheck.pending_amendments(review) == []  # the first amendment is answered
    later = amend(review.case_file, users, fine="900")
    review.refresh_from_db()
    assert review.case_amended  # marked again: back in the queue
    assert recheck_queue(users["legal_officer"]).filter(pk=review.pk).exists()
    assert [a.pk for a in recheck.pending_amendments(review)] == [later.pk]
    second = recheck.self_review_recheck(
        review=review, by=users["legal_head"], reason="已阅看第二次更正，结论仍然成立", seen_amendment_id=later.pk
    )
    assert second.amendment_ids == [later.pk]
    assert first.amendment_ids != second.amendment_ids
    assert [r.pk for r in recheck.rechecks_of(review)] == [second.pk, first.pk]
    assert not recheck_queue(users["legal_officer"]).exists()
