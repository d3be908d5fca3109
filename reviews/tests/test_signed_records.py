"""REV-7, signed review records: the keyed digest covers everything a signature vouches
for, ``verify_reviews`` checks every record with a digest or a signature, both ways against the
seals in the audit chain, and detects a status set back, a changed year, a digest recomputed
without the key, a deleted record; a legitimate later change of the case file does not fail it."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cases.models import CaseFile
from reviews import services
from reviews.choices import ReviewStatus
from reviews.models import SelfReview
from xian_enforcement.audit.models import AuditEvent

from .factories import locked_review, reviewable_file, submitted_review

pytestmark = pytest.mark.django_db


def _sql(sql: str, params: list) -> None:
    """Behind the application's back, as someone with write access to the database (on
    PostgreSQL the audit triggers do not concern these tables)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _verify() -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("verify_reviews", stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def test_rev_7_digest_is_keyed_and_covers_status_year_department_and_snapshot(users, dept):
    review = locked_review(reviewable_file(dept), users)
    content = services.canonical_content(review)
    assert review.digest != hashlib.sha256(content).hexdigest()  # keyed, not a plain hash
    for key in (b'"status":"locked"', b'"year":', b'"department":', b'"case_file":{', b'"signatures":'):
        assert key in content
    assert review.case_snapshot["number"] == review.case_file.number
    seal = AuditEvent.objects.filter(detail__seal=services.SEAL, detail__stage="lock").get()
    assert seal.detail["records"] == [[review.pk, review.digest]]
    ok, out = _verify()
    assert ok and "OK: 1 " in out


def test_rev_7_status_set_back_to_submitted_is_detected(users, dept):
    clean = locked_review(reviewable_file(dept), users)
    review = locked_review(reviewable_file(dept), users)
    _sql("UPDATE reviews_selfreview SET status = %s WHERE id = %s", [ReviewStatus.SUBMITTED, review.pk])
    ok, out = _verify()
    assert not ok and f"#{review.pk}" in out and f"#{clean.pk}" not in out
    # Also clearing the digest and the lock time: the chain still says it was locked.
    _sql("UPDATE reviews_selfreview SET digest = '', locked_at = NULL WHERE id = %s", [review.pk])
    ok, out = _verify()
    assert not ok and f"#{review.pk}" in out and "sealed this record as locked" in out


def test_rev_7_changed_year_is_detected(users, dept):
    review = locked_review(reviewable_file(dept), users)
    _sql("UPDATE reviews_selfreview SET year = year - 1 WHERE id = %s", [review.pk])
    ok, out = _verify()
    assert not ok and f"#{review.pk}" in out


def test_rev_7_recomputed_unkeyed_digest_is_detected(users, dept):
    """Whoever changes a score and recomputes the digest without the key (plain SHA-256, or an
    HMAC with a guessed key) is caught."""
    import hmac

    review = locked_review(reviewable_file(dept), users)
    _sql("UPDATE reviews_selfreview SET score = %s WHERE id = %s", ["99.0", review.pk])
    review.refresh_from_db()
    content = services.canonical_content(review)
    for forged in (
        hashlib.sha256(content).hexdigest(),
        hmac.new(b"guessed-key", services.SEAL.encode() + b":" + content, hashlib.sha256).hexdigest(),
    ):
        _sql("UPDATE reviews_selfreview SET digest = %s WHERE id = %s", [forged, review.pk])
        ok, out = _verify()
        assert not ok and f"#{review.pk}" in out


def test_rev_7_deleted_record_is_detected_through_the_audit_chain(users, dept):
    review = locked_review(reviewable_file(dept), users)
    pk = review.pk
    for table in ("reviews_reviewnotice", "reviews_reviewfinding", "reviews_reviewsignature"):
        _sql(f"DELETE FROM {table} WHERE review_id = %s", [pk])
    _sql("DELETE FROM reviews_selfreview WHERE id = %s", [pk])
    ok, out = _verify()
    assert not ok and f"#{pk}" in out and "deleted" in out


def test_rev_7_record_with_one_signature_is_checked_against_its_seal(users, dept):
    """Not only locked records: a submitted record signed once is sealed by that signature."""
    review = submitted_review(reviewable_file(dept), users["legal_officer"])
    services.self_review_sign(review=review, by=users["legal_head"], role="legal_head")
    ok, out = _verify()
    assert ok and "OK: 1 " in out
    _sql("UPDATE reviews_selfreview SET problems_procedure = %s WHERE id = %s", ["改过的问题", review.pk])
    ok, out = _verify()
    assert not ok and f"#{review.pk}" in out and "last signature" in out


def test_rev_7_legitimate_later_change_of_the_case_file_keeps_the_record_verifiable(users, dept):
    """The digest covers the snapshot kept at submission, not the live file (an amendment by the
    legal office changes the file, not what was reviewed and signed)."""
    review = locked_review(reviewable_file(dept), users)
    CaseFile.objects.filter(pk=review.case_file_id).update(title="更正后的案由", fine_amount=Decimal("123.00"))
    ok, out = _verify()
    assert ok, out
    # The snapshot itself is covered: changing it is detected.
    review = SelfReview.objects.get(pk=review.pk)
    snapshot = {**review.case_snapshot, "fine_amount": "1.00"}
    SelfReview.objects.filter(pk=review.pk).update(case_snapshot=snapshot)
    ok, out = _verify()
    assert not ok and f"#{review.pk}" in out
