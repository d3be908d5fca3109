"""REV-7 self-review records through the services: start (REV-2, REV-5, REV-12), save,
submit, sign (the right two people, as themselves), lock with a digest, tampering detected,
the written notice delivered to the main handler."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.choices import LitigationState, ReconsiderationState
from reviews import pdf, services
from reviews.choices import Grade, ReviewStatus
from reviews.models import ReviewFinding, ReviewNotice, ReviewSignature, SelfReview
from tests.factories import CaseFileFactory, certified_officer
from xian_enforcement.errors import DomainError
from xian_enforcement.notices.models import Notification

from .factories import locked_review, reviewable_file, scored_items, submitted_review, template_for, veto_items

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    """The PDF's text with whitespace removed (letter-spacing and line breaks split words)."""
    out = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return "".join(out.split())


def test_rev_7_legal_officer_starts_a_review_with_the_current_checklist_version(users, dept):
    case = reviewable_file(dept)
    review = services.self_review_start(case_file=case, by=users["legal_officer"])
    assert review.status == ReviewStatus.DRAFT
    assert review.template == template_for(case)
    assert review.score == 100 and review.grade == Grade.EXCELLENT
    assert review.reviewer_name == users["legal_officer"].officer.name


def test_rev_2_open_file_cannot_be_reviewed(users, dept):
    case = CaseFileFactory(department=dept)
    with pytest.raises(DomainError) as exc:
        services.self_review_start(case_file=case, by=users["legal_officer"])
    assert exc.value.rule_id == "REV-2"


def test_rev_5_file_not_transferred_cannot_be_reviewed(users, dept):
    case = reviewable_file(dept, transferred_for_review_on=None)
    with pytest.raises(DomainError) as exc:
        services.self_review_start(case_file=case, by=users["legal_officer"])
    assert exc.value.rule_id == "REV-5"


@pytest.mark.parametrize(
    "extra", [{"litigation": LitigationState.PENDING}, {"reconsideration": ReconsiderationState.PENDING}]
)
def test_rev_12_file_under_litigation_or_reconsideration_is_not_reviewed(users, dept, extra):
    case = reviewable_file(dept, **extra)
    with pytest.raises(DomainError) as exc:
        services.self_review_start(case_file=case, by=users["legal_officer"])
    assert exc.value.rule_id == "REV-12"
    assert not SelfReview.objects.exists()


@pytest.mark.parametrize("role", ["handler", "unit_head", "party_member", "bureau_staff", "leader"])
def test_rev_7_only_the_departments_legal_office_fills_the_record(users, dept, role):
    case = reviewable_file(dept)
    with pytest.raises(DomainError) as exc:
        services.self_review_start(case_file=case, by=users[role])
    assert exc.value.rule_id == "REV-7"


def test_rev_7_legal_office_of_another_department_is_refused(users, dept, other_dept):
    case = reviewable_file(other_dept)
    with pytest.raises(DomainError):
        services.self_review_start(case_file=case, by=users["legal_officer"])


def test_rev_7_one_record_per_file(users, dept):
    case = reviewable_file(dept)
    services.self_review_start(case_file=case, by=users["legal_officer"])
    with pytest.raises(DomainError):
        services.self_review_start(case_file=case, by=users["legal_head"])


def test_rev_14_save_scores_and_keeps_reasons(users, dept):
    case = reviewable_file(dept)
    review = services.self_review_start(case_file=case, by=users["legal_officer"])
    a, b = scored_items(review.template)[:2]
    review = services.self_review_save(
        review=review,
        by=users["legal_officer"],
        findings={a.pk: (False, Decimal(9), "立案审批表未签字"), b.pk: (False, Decimal("1.5"), "未出示证件")},
        problems_substance="",
        problems_procedure="立案审批不完整",
    )
    # a is worth 5: stops at zero; b loses 1.5.
    assert review.score == Decimal("93.5") and review.grade == Grade.EXCELLENT
    assert ReviewFinding.objects.filter(review=review).count() == 2


def test_rev_14_deduction_without_reason_is_refused_and_saves_nothing(users, dept):
    case = reviewable_file(dept)
    review = services.self_review_start(case_file=case, by=users["legal_officer"])
    item = scored_items(review.template)[0]
    with pytest.raises(DomainError) as exc:
        services.self_review_save(
            review=review,
            by=users["legal_officer"],
            findings={item.pk: (False, Decimal(2), "")},
            problems_substance="",
            problems_procedure="",
        )
    assert exc.value.rule_id == "REV-14" and item.text in exc.value.message
    assert not ReviewFinding.objects.exists()
    review.refresh_from_db()
    assert review.score == 100


def test_rev_13_veto_item_makes_the_record_unqualified_with_zero(users, dept):
    case = reviewable_file(dept)
    review = services.self_review_start(case_file=case, by=users["legal_officer"])
    veto = veto_items(review.template)[6]  # 无执法资格
    review = services.self_review_save(
        review=review,
        by=users["legal_officer"],
        findings={veto.pk: (True, Decimal(0), "协办人执法证已过期")},
        problems_substance="执法人员无执法资格",
        problems_procedure="",
    )
    assert (review.score, review.veto_failed, review.grade) == (0, True, Grade.UNQUALIFIED)


def test_rev_7_record_with_findings_must_list_problems(users, dept):
    case = reviewable_file(dept)
    review = services.self_review_start(case_file=case, by=users["legal_officer"])
    item = scored_items(review.template)[0]
    services.self_review_save(
        review=review,
        by=users["legal_officer"],
        findings={item.pk: (False, Decimal(1), "理由")},
        problems_substance="",
        problems_procedure="",
    )
    with pytest.raises(DomainError) as exc:
        services.self_review_submit(review=review, by=users["legal_officer"])
    assert exc.value.rule_id == "REV-7"
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT


def test_rev_7_both_heads_sign_in_any_order_then_record_locks(users, dept):
    case = reviewable_file(dept)
    review = submitted_review(case, users["legal_officer"])
    services.self_review_sign(review=review, by=users["unit_head"], role="unit_head")
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED and not review.digest
    services.self_review_sign(review=review, by=users["legal_head"], role="legal_head")
    review.refresh_from_db()
    assert review.status == ReviewStatus.LOCKED
    assert len(review.digest) == 64 and services.verify(review)
    assert set(review.signatures.values_list("role", "user_id")) == {
        ("legal_head", users["legal_head"].pk),
        ("unit_head", users["unit_head"].pk),
    }


@pytest.mark.parametrize(
    ("signer", "role"),
    [
        ("legal_officer", "legal_head"),  # the reviewer signing for the head
        ("legal_officer", "unit_head"),
        ("unit_head", "legal_head"),  # a head signing for the other head
        ("legal_head", "unit_head"),
        ("handler", "unit_head"),
        ("bureau_staff", "legal_head"),
        ("party_member", "unit_head"),
    ],
)
def test_rev_7_signature_by_the_wrong_person_is_refused(users, dept, signer, role):
    review = submitted_review(reviewable_file(dept), users["legal_officer"])
    with pytest.raises(DomainError) as exc:
        services.self_review_sign(review=review, by=users[signer], role=role)
    assert exc.value.rule_id == "REV-7"
    assert not ReviewSignature.objects.exists()


def test_rev_7_head_of_another_department_cannot_sign(users, dept, other_dept):
    foreign_head = certified_officer(other_dept, roles=["legal_head"]).user
    review = submitted_review(reviewable_file(dept), users["legal_officer"])
    with pytest.raises(DomainError):
        services.self_review_sign(review=review, by=foreign_head, role="legal_head")


def test_rev_7_one_person_holding_both_posts_signs_only_once(users, dept):
    both = certified_officer(dept, roles=["legal_head", "unit_head"]).user
    review = submitted_review(reviewable_file(dept), users["legal_officer"])
    services.self_review_sign(review=review, by=both, role="legal_head")
    with pytest.raises(DomainError) as exc:
        services.self_review_sign(review=review, by=both, role="unit_head")
    assert "两人" in exc.value.message
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


def test_rev_7_draft_cannot_be_signed(users, dept):
    review = services.self_review_start(case_file=reviewable_file(dept), by=users["legal_officer"])
    with pytest.raises(DomainError):
        services.self_review_sign(review=review, by=users["legal_head"], role="legal_head")


def test_rev_7_locked_record_cannot_change(users, dept):
    review = locked_review(reviewable_file(dept), users)
    with pytest.raises(DomainError):
        services.self_review_save(
            review=review, by=users["legal_officer"], findings={}, problems_substance="x", problems_procedure=""
        )
    with pytest.raises(DomainError):
        services.self_review_sign(review=review, by=users["legal_head"], role="legal_head")
    with pytest.raises(DomainError):
        services.self_review_submit(review=review, by=users["legal_officer"])


def test_rev_7_tampering_is_detected_by_verify_reviews(users, dept):
    clean = locked_review(reviewable_file(dept), users)
    tampered = locked_review(reviewable_file(dept), users)
    out = StringIO()
    call_command("verify_reviews", stdout=out)
    assert "OK: 2" in out.getvalue()

    SelfReview.objects.filter(pk=tampered.pk).update(score=Decimal("95"))  # behind the UI's back
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_reviews", stdout=out)
    assert f"#{tampered.pk}" in out.getvalue() and f"#{clean.pk}" not in out.getvalue()


def test_rev_7_tampered_finding_or_signature_is_detected(users, dept):
    review = locked_review(reviewable_file(dept), users, findings={})
    ReviewSignature.objects.filter(review=review, role="unit_head").update(signer_name="别人")
    assert not services.verify(review)


def test_rev_7_locking_delivers_the_notice_pdf_to_the_main_handler(users, dept):
    handler = users["handler"].officer
    case = reviewable_file(dept, main_handler=handler, number="隰市监罚〔2026〕88号")
    review = locked_review(case, users)
    notice = ReviewNotice.objects.get(review=review)
    assert notice.recipient == users["handler"] and notice.delivered_at and notice.read_at is None
    note = Notification.objects.get(recipient=users["handler"], rule_id="REV-7")
    assert case.number in note.title and note.url.endswith(f"/reviews/self/{review.pk}/notice/")
    with notice.pdf.open("rb") as fh:
        content = fh.read()
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "评查结果通知书" in text and "隰市监罚〔2026〕88号" in text and "优秀" in text
    assert "第1页共1页" in text


def test_rev_7_notice_reading_is_recorded_for_the_recipient_only(users, dept):
    case = reviewable_file(dept, main_handler=users["handler"].officer)
    notice = locked_review(case, users).notice
    assert not services.notice_mark_read(notice=notice, by=users["legal_head"])
    assert services.notice_mark_read(notice=notice, by=users["handler"])
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_rev_7_record_pdf_has_the_units_layout(users, dept):
    case = reviewable_file(dept, party_name="隰县某副食店")
    review = locked_review(case, users)
    content = pdf.record_pdf(review)
    text = pdf_text(content)
    for label in (
        "行政执法案卷评查记录表",
        "实施单位",
        "当事人",
        "案号",
        "评查项目",
        "序号",
        "评查内容",
        "分值",
        "扣分",
        "得分",
    ):
        assert label in text
    assert "隰县某副食店" in text and case.number in text and "一票否决" in text


def test_rev_14_new_checklist_version_leaves_used_version_untouched(users, dept):
    case = reviewable_file(dept)
    review = services.self_review_start(case_file=case, by=users["legal_officer"])
    old = review.template
    new = services.checklist_template_new_version(template=old, by=users["sysadmin"])
    assert new.version == old.version + 1 and not new.is_active
    assert new.items.count() == old.items.count()
    new.is_active = True
    new.save()
    review.refresh_from_db()
    assert review.template == old
    later = services.self_review_start(case_file=reviewable_file(dept), by=users["legal_officer"])
    assert later.template == new


def test_rev_14_only_the_system_administrator_makes_a_new_version(users, dept):
    template = template_for(reviewable_file(dept))
    with pytest.raises(DomainError):
        services.checklist_template_new_version(template=template, by=users["legal_head"])


def test_grade_distribution_counts_locked_records_in_scope(users, dept, other_dept):
    from reviews.selectors import grade_distribution

    locked_review(reviewable_file(dept), users)
    submitted_review(reviewable_file(dept), users["legal_officer"])  # not locked: not counted
    assert grade_distribution(users["legal_head"], 2026) == {"excellent": 1, "qualified": 0, "unqualified": 0}
    assert grade_distribution(users["bureau_staff"], 2026)["excellent"] == 1
    assert grade_distribution(users["nobody"], 2026) == {"excellent": 0, "qualified": 0, "unqualified": 0}
    assert grade_distribution(users["legal_head"], 2025)["excellent"] == 0


def test_grade_distribution_reads_each_roles_jurisdiction_from_the_records_department(users, dept, other_dept):
    """A county-wide role counts every department of its county; a department role its own; a
    handler the files they handle, as main or co-handler; the record keeps its file's department."""
    from reviews.selectors import grade_distribution

    handler = users["handler"].officer
    mine = locked_review(reviewable_file(dept, main_handler=handler), users)
    helped = locked_review(reviewable_file(dept, co_handlers=[handler]), users)
    locked_review(reviewable_file(dept), users)
    elsewhere = reviewable_file(other_dept)
    town_review = SelfReview.objects.create(
        case_file=elsewhere,
        template=template_for(elsewhere),
        reviewer=users["legal_officer"],
        reviewer_name="评查人",
        status=ReviewStatus.LOCKED,
        grade=Grade.QUALIFIED,
        year=2026,
    )
    assert mine.department_id == helped.department_id == dept.pk
    assert town_review.department_id == other_dept.pk  # filled from the file when not given
    assert grade_distribution(users["bureau_staff"], 2026) == {"excellent": 3, "qualified": 1, "unqualified": 0}
    assert grade_distribution(users["leader"], 2026) == {"excellent": 3, "qualified": 1, "unqualified": 0}
    assert grade_distribution(users["legal_head"], 2026) == {"excellent": 3, "qualified": 0, "unqualified": 0}
    assert grade_distribution(users["handler"], 2026) == {"excellent": 2, "qualified": 0, "unqualified": 0}
    assert grade_distribution(users["sysadmin"], 2026) == {"excellent": 0, "qualified": 0, "unqualified": 0}


def test_grade_distribution_of_a_county_wide_role_does_not_join_the_case_files(users, dept):
    """performance.md targets 1 and 5: one statement on the records' department index."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.selectors import grade_distribution

    locked_review(reviewable_file(dept), users)
    users["bureau_staff"].refresh_from_db()  # a fresh scope, as in a request
    grade_distribution(users["bureau_staff"], 2026)  # the scope's own queries (roles, departments)
    with CaptureQueriesContext(connection) as ctx:
        assert grade_distribution(users["bureau_staff"], 2026)["excellent"] == 1
    assert len(ctx.captured_queries) == 1
    assert "cases_casefile" not in ctx.captured_queries[0]["sql"]
