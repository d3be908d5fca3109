"""REV-7 finality of case files: a file whose self-review record is submitted or locked, or an
archived file, is frozen — the edit page offers no form, a direct POST and every service write
(the ledger import included) are refused naming REV-7. The only change is an amendment (更正)
by the legal office of the file's department: reason required, before/after kept as a version,
audited, and the self-review record marked "案卷在评查后被更正"."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import ledger, services
from cases.models import CaseAttachment, CaseFile, CaseFileAmendment
from cases.tests.test_ledger import cert, good_row, xlsx
from reviews.models import SelfReview
from reviews.tests.factories import locked_review, reviewable_file, submitted_review
from tests.factories import PowerItemFactory, category, certified_officer
from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.errors import DomainError

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def frozen_file(state: str, dept, users) -> CaseFile:
    """A file of ``dept`` handled by the ``handler`` user, frozen by ``state``: its self-review
    record ``submitted`` or ``locked``, or the file ``archived`` (no record)."""
    handler = users["handler"].officer
    if state == "archived":
        return reviewable_file(dept, main_handler=handler, archived_on=datetime.date(2026, 5, 20), status="archived")
    case = reviewable_file(dept, main_handler=handler)
    if state == "submitted":
        submitted_review(case, users["legal_officer"])
    else:
        locked_review(case, users)
    return case


def form_data(case: CaseFile, **overrides) -> dict:
    """The case form as posted for ``case``, with ``overrides``."""
    data = {
        "number": case.number,
        "category": case.category_id,
        "title": case.title,
        "party_kind": case.party_kind,
        "party_name": case.party_name,
        "main_handler": case.main_handler_id,
        "co_handlers": [o.pk for o in case.co_handlers.all()],
        "filed_on": case.filed_on.isoformat(),
        "closed_on": case.closed_on.isoformat() if case.closed_on else "",
        "archived_on": case.archived_on.isoformat() if case.archived_on else "",
        "fine_amount": str(case.fine_amount),
        "confiscation_amount": str(case.confiscation_amount),
        "reconsideration": case.reconsideration,
        "litigation": case.litigation,
    }
    data.update(overrides)
    return data


STATES = ["submitted", "locked", "archived"]


@pytest.mark.parametrize("state", STATES)
def test_rev_7_edit_page_of_a_frozen_file_offers_no_form_and_says_why(client, users, dept, state):
    case = frozen_file(state, dept, users)
    client.force_login(users["handler"])
    response = client.get(reverse("cases:edit", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "REV-7" in html
    assert 'name="fine_amount"' not in html
    assert reverse("cases:amend", args=[case.pk]) not in html  # the handler may not amend

    client.force_login(users["legal_officer"])
    html = client.get(reverse("cases:edit", args=[case.pk])).content.decode()
    assert 'name="fine_amount"' not in html
    assert reverse("cases:amend", args=[case.pk]) in html  # the legal office is shown the amendment


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ["handler", "legal_officer"])
def test_rev_7_direct_post_to_edit_a_frozen_file_is_refused_and_changes_nothing(client, users, dept, state, role):
    case = frozen_file(state, dept, users)
    before = CaseFile.objects.values().get(pk=case.pk)
    client.force_login(users[role])
    response = client.post(reverse("cases:edit", args=[case.pk]), form_data(case, fine_amount="99999"))
    assert response.status_code == 409
    assert "REV-7" in response.content.decode()
    assert CaseFile.objects.values().get(pk=case.pk) == before
    assert not CaseFileAmendment.objects.exists()


@pytest.mark.parametrize("state", STATES)
def test_rev_7_service_refuses_every_write_of_a_frozen_file(users, dept, state):
    case = frozen_file(state, dept, users)
    with pytest.raises(DomainError) as exc:
        services.case_file_update(
            case_file=case,
            data={"fine_amount": Decimal("99999")},
            co_handlers=list(case.co_handlers.all()),
        )
    assert exc.value.rule_id == "REV-7"
    assert "REV-7" in exc.value.message
    case.refresh_from_db()
    assert case.fine_amount == Decimal("500.00")


def test_rev_7_an_open_file_is_still_edited_normally(users, dept):
    case = reviewable_file(dept, main_handler=users["handler"].officer)  # transferred, no record yet
    services.case_file_update(
        case_file=case, data={"fine_amount": Decimal("800")}, co_handlers=list(case.co_handlers.all())
    )
    case.refresh_from_db()
    assert case.fine_amount == Decimal("800.00")


@pytest.mark.parametrize("state", ["submitted", "locked"])
def test_rev_7_legal_officer_amends_with_reason_version_kept_audited_review_flagged(client, users, dept, state):
    case = frozen_file(state, dept, users)
    client.force_login(users["legal_officer"])
    assert client.get(reverse("cases:amend", args=[case.pk])).status_code == 200
    reason = "罚款金额录入错误，依据隰市监更〔2026〕1号更正决定书更正"
    response = client.post(reverse("cases:amend", args=[case.pk]), form_data(case, fine_amount="800.00", reason=reason))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.fine_amount == Decimal("800.00")

    amendment = CaseFileAmendment.objects.get(case_file=case)
    assert amendment.reason == reason
    assert amendment.amended_by == users["legal_officer"]
    assert amendment.frozen_by == f"review_{state}"
    assert set(amendment.changes) == {"fine_amount"}  # only what changed
    assert amendment.changes["fine_amount"]["before"] == "500.00"
    assert amendment.changes["fine_amount"]["after"] == "800.00"

    event = AuditEvent.objects.filter(detail__action="case_file_amended").get()
    assert event.user == users["legal_officer"]
    assert event.detail["rule"] == "REV-7"
    assert event.detail["amendment"] == amendment.pk
    assert event.detail["changes"]["fine_amount"] == {"before": "500.00", "after": "800.00"}

    review = SelfReview.objects.get(case_file=case)
    assert review.case_amended and review.case_amended_at is not None
    assert review.status == state  # the record itself is not reopened

    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="amendments"' in detail and reason in detail and "800.00" in detail
    assert 'id="review-case-amended"' in detail  # the file page's review panel carries the mark too
    record = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "案卷在评查后被更正" in record
    queue = client.get(reverse("reviews:index")).content.decode()
    assert 'id="amended-table"' in queue and case.number in queue


def test_rev_7_amending_an_archived_file_keeps_the_version_and_can_unarchive(client, users, dept):
    case = frozen_file("archived", dept, users)
    client.force_login(users["legal_head"])
    response = client.post(
        reverse("cases:amend", args=[case.pk]), form_data(case, archived_on="", reason="误录归档日期")
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.archived_on is None
    amendment = CaseFileAmendment.objects.get(case_file=case)
    assert amendment.frozen_by == "archived"
    assert amendment.changes["archived_on"]["before"] == "2026-05-20"
    assert amendment.changes["archived_on"]["after"] is None


def test_rev_7_amendment_of_personal_data_is_kept_but_masked_in_the_audit_row(users, dept):
    case = frozen_file("locked", dept, users)
    services.case_file_amend(
        case_file=case,
        data={"party_name": "更正后的当事人"},
        co_handlers=list(case.co_handlers.all()),
        reason="当事人名称错误",
        by=users["legal_officer"],
    )
    amendment = CaseFileAmendment.objects.get(case_file=case)
    assert amendment.changes["party_name"]["after"] == "更正后的当事人"
    event = AuditEvent.objects.filter(detail__action="case_file_amended").get()
    assert event.detail["changes"]["party_name"] == {"before": "***", "after": "***"}
    assert "更正后的当事人" not in str(event.detail)


@pytest.mark.parametrize("reason", ["", "   "])
def test_rev_7_amendment_without_reason_is_refused(client, users, dept, reason):
    case = frozen_file("locked", dept, users)
    client.force_login(users["legal_officer"])
    response = client.post(reverse("cases:amend", args=[case.pk]), form_data(case, fine_amount="800.00", reason=reason))
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.fine_amount == Decimal("500.00")
    assert not CaseFileAmendment.objects.exists()
    assert not SelfReview.objects.get(case_file=case).case_amended
    with pytest.raises(DomainError) as exc:  # the service refuses too
        services.case_file_amend(
            case_file=case, data={}, co_handlers=list(case.co_handlers.all()), reason=reason, by=users["legal_officer"]
        )
    assert exc.value.rule_id == "REV-7"


def test_rev_7_other_departments_legal_officer_gets_404(client, users, dept, other_dept):
    case = frozen_file("locked", dept, users)
    outsider = certified_officer(other_dept, roles=["legal_officer"]).user
    client.force_login(outsider)
    assert client.get(reverse("cases:amend", args=[case.pk])).status_code == 404
    response = client.post(reverse("cases:amend", args=[case.pk]), form_data(case, fine_amount="1", reason="x"))
    assert response.status_code == 404
    assert not CaseFileAmendment.objects.exists()


@pytest.mark.parametrize("role", ["handler", "unit_head", "leader", "bureau_staff"])
def test_rev_7_only_the_legal_office_amends_others_who_read_the_file_get_403(client, users, dept, role):
    case = frozen_file("locked", dept, users)
    client.force_login(users[role])
    assert client.get(reverse("cases:amend", args=[case.pk])).status_code == 403
    response = client.post(reverse("cases:amend", args=[case.pk]), form_data(case, fine_amount="1", reason="x"))
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.fine_amount == Decimal("500.00")
    with pytest.raises(DomainError) as exc:
        services.case_file_amend(
            case_file=case, data={}, co_handlers=list(case.co_handlers.all()), reason="x", by=users[role]
        )
    assert exc.value.rule_id == "REV-7"


def test_rev_7_a_file_that_is_not_frozen_is_edited_not_amended(client, users, dept):
    case = reviewable_file(dept)
    client.force_login(users["legal_officer"])
    response = client.get(reverse("cases:amend", args=[case.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("cases:edit", args=[case.pk])


def test_rev_7_ledger_import_cannot_change_a_frozen_file(users, dept):
    team = {
        "a": certified_officer(dept, name="张执法"),
        "b": certified_officer(dept, name="李执法"),
        "power": PowerItemFactory(department=dept, code="XZCF-0001"),
    }
    row = good_row(team, 1, 结案日期="2026-04-20")
    ledger.ledger_import(department=dept, content=xlsx([row, good_row(team, 2)]), user=users["legal_officer"])
    case = CaseFile.objects.get(number=row["案号"])
    services.case_file_transfer_for_review(case_file=case, by_user=users["handler"], on=datetime.date(2026, 4, 25))
    locked_review(case, users)
    before = CaseFile.objects.values().get(pk=case.pk)

    changed = xlsx([good_row(team, 2), dict(row, 罚款金额=99999)])  # the frozen file is on row 3
    result = ledger.ledger_preview(department=dept, content=changed, user=users["legal_officer"])
    assert [(e.row, "REV-7" in e.message) for e in result.errors] == [(3, True)]
    with pytest.raises(ledger.ImportRejected) as exc:
        ledger.ledger_import(department=dept, content=changed, user=users["legal_officer"])
    assert [e.row for e in exc.value.result.errors] == [3]
    assert CaseFile.objects.values().get(pk=case.pk) == before

    same = xlsx([row])  # the unchanged row is not an error: nothing would change
    assert ledger.ledger_preview(department=dept, content=same, user=users["legal_officer"]).ok
    assert cert(team["a"])


def test_rev_7_documents_of_a_frozen_file_cannot_be_deleted(client, users, dept):
    case = reviewable_file(dept, main_handler=users["handler"].officer)
    attachment = services.case_attachment_add(
        case_file=case,
        upload=SimpleUploadedFile("决定书.pdf", PDF, content_type="application/pdf"),
        uploaded_by=users["handler"],
    )
    locked_review(case, users)
    client.force_login(users["handler"])
    response = client.post(reverse("cases:attachment_delete", args=[attachment.pk]), follow=True)
    assert "REV-7" in response.content.decode()
    assert CaseAttachment.objects.filter(pk=attachment.pk).exists()


def test_rev_7_case_detail_shows_the_freeze_and_no_edit_button(client, users, dept):
    case = frozen_file("locked", dept, users)
    client.force_login(users["handler"])
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="frozen"' in html and "REV-7" in html
    assert reverse("cases:edit", args=[case.pk]) not in html
    assert reverse("cases:amend", args=[case.pk]) not in html
    client.force_login(users["legal_officer"])
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:amend", args=[case.pk]) in html
    assert category("punishment").name in html


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ["handler", "legal_officer"])
def test_rev_7_a_frozen_file_takes_no_new_document(client, users, dept, state, role):
    """REV-7: upload to a frozen file is refused (page and service), naming the rule; the upload
    form is not offered."""
    case = frozen_file(state, dept, users)
    client.force_login(users[role])
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:attachment_upload", args=[case.pk]) not in html
    assert 'id="attachments-frozen"' in html
    upload = SimpleUploadedFile("补充笔录.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("cases:attachment_upload", args=[case.pk]), {"file": upload})
    assert response.status_code == 409
    assert "REV-7" in response.content.decode()
    assert not CaseAttachment.objects.filter(case_file=case).exists()
    with pytest.raises(DomainError) as exc:
        services.case_attachment_add(
            case_file=case,
            upload=SimpleUploadedFile("补充笔录.pdf", PDF, content_type="application/pdf"),
            uploaded_by=users[role],
        )
    assert exc.value.rule_id == "REV-7"
    assert not CaseAttachment.objects.filter(case_file=case).exists()


def test_rev_7_an_open_file_still_takes_documents(client, users, dept):
    case = reviewable_file(dept, main_handler=users["handler"].officer)  # no record yet
    client.force_login(users["handler"])
    upload = SimpleUploadedFile("决定书.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("cases:attachment_upload", args=[case.pk]), {"file": upload})
    assert response.status_code == 302
    assert CaseAttachment.objects.filter(case_file=case).count() == 1


def test_rev_7_the_amendment_adds_a_document_kept_in_the_version_and_flags_the_record(client, users, dept):
    case = frozen_file("locked", dept, users)
    kept = CaseAttachment.objects.filter(case_file=case).count()
    client.force_login(users["legal_officer"])
    page = client.get(reverse("cases:amend", args=[case.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="attachment"' in page
    upload = SimpleUploadedFile("送达回证.pdf", PDF, content_type="application/pdf")
    data = form_data(case, reason="补入漏归档的送达回证", attachment=upload, attachment_description="送达回证")
    response = client.post(reverse("cases:amend", args=[case.pk]), data)
    assert response.status_code == 302
    added = CaseAttachment.objects.get(case_file=case, original_name="送达回证.pdf")
    assert added.description == "送达回证" and added.uploaded_by == users["legal_officer"]
    amendment = CaseFileAmendment.objects.get(case_file=case)
    assert set(amendment.changes) == {"attachments"}  # a document alone is an amendment
    assert amendment.changes["attachments"]["after"] == [*amendment.changes["attachments"]["before"], added.pk]
    assert len(amendment.changes["attachments"]["before"]) == kept
    assert "送达回证.pdf" in amendment.changes["attachments"]["after_text"]
    event = AuditEvent.objects.filter(detail__action="case_file_amended").get()
    assert event.detail["changes"]["attachments"]["after"] == amendment.changes["attachments"]["after"]
    assert SelfReview.objects.get(case_file=case).case_amended


def test_rev_7_an_amendment_with_a_refused_document_changes_nothing(users, dept):
    case = frozen_file("locked", dept, users)
    with pytest.raises(DomainError):
        services.case_file_amend(
            case_file=case,
            data={"fine_amount": Decimal("800")},
            co_handlers=list(case.co_handlers.all()),
            reason="补入文书",
            by=users["legal_officer"],
            attachment=SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00" + b"\x00" * 64),
        )
    case.refresh_from_db()
    assert case.fine_amount == Decimal("500.00")
    assert not CaseFileAmendment.objects.exists()
    assert not CaseAttachment.objects.filter(case_file=case).exists()
    assert not SelfReview.objects.get(case_file=case).case_amended
