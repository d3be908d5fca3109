"""Self-review pages: each view allowed / refused (403) / outside (404) / anonymous (login),
bad input saves nothing, the htmx score preview, signing from the page, the notice, coverage,
and constant query counts on the queue."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.choices import LitigationState
from reviews import services
from reviews.choices import ReviewStatus
from reviews.models import ReviewFinding, SelfReview
from tests.factories import certified_officer

from .factories import locked_review, reviewable_file, scored_items, submitted_review, veto_items

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def draft(users, dept):
    return services.self_review_start(case_file=reviewable_file(dept), by=users["legal_officer"])


@pytest.fixture
def foreign_draft(other_dept):
    officer = certified_officer(other_dept, roles=["legal_officer"])
    return services.self_review_start(case_file=reviewable_file(other_dept), by=officer.user)


# --- start -------------------------------------------------------------------------------------


def test_rev_7_legal_officer_starts_from_the_queue(client, users, dept):
    case = reviewable_file(dept)
    queue = login(client, users["legal_officer"]).get(reverse("reviews:index"))
    assert reverse("reviews:start", args=[case.pk]) in queue.content.decode()
    response = client.post(reverse("reviews:start", args=[case.pk]))
    review = SelfReview.objects.get(case_file=case)
    assert response.status_code == 302 and response["Location"] == reverse("reviews:edit", args=[review.pk])


def test_rev_7_start_refused_for_unit_head_403(client, users, dept):
    case = reviewable_file(dept)
    response = login(client, users["unit_head"]).post(reverse("reviews:start", args=[case.pk]))
    assert response.status_code == 403 and "REV-7" in response.content.decode()
    assert not SelfReview.objects.exists()


def test_rev_7_start_outside_jurisdiction_404(client, users, other_dept):
    case = reviewable_file(other_dept)
    assert login(client, users["legal_officer"]).post(reverse("reviews:start", args=[case.pk])).status_code == 404


def test_rev_12_start_refused_with_message(client, users, dept):
    case = reviewable_file(dept, litigation=LitigationState.PENDING)
    response = login(client, users["legal_officer"]).post(reverse("reviews:start", args=[case.pk]), follow=True)
    assert "REV-12" in response.content.decode()
    assert not SelfReview.objects.exists()


# --- edit --------------------------------------------------------------------------------------


def test_rev_14_edit_form_lists_veto_and_stage_items(client, users, draft):
    response = login(client, users["legal_officer"]).get(reverse("reviews:edit", args=[draft.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("一票否决项", "立案", "调查取证", "审查决定", "送达执行", "归档", "无执法资格"):
        assert text in html
    assert 'hx-post="' + reverse("reviews:preview", args=[draft.pk]) in html


def test_rev_14_save_draft_and_submit(client, users, draft):
    item = scored_items(draft.template)[2]
    c = login(client, users["legal_officer"])
    data = {f"deduct_{item.pk}": "3", f"reason_{item.pk}": "笔录无签名", "problems_procedure": "询问笔录无签名"}
    response = c.post(reverse("reviews:edit", args=[draft.pk]), data | {"action": "save"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.score == 97 and draft.status == ReviewStatus.DRAFT
    response = c.post(reverse("reviews:edit", args=[draft.pk]), data | {"action": "submit"}, follow=True)
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.SUBMITTED
    assert "自查记录已提交" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "reason", "message"),
    [("abc", "x", "扣分须是数字"), ("-2", "x", "不小于 0"), ("1.25", "x", "一位小数"), ("2", "", "须写明理由")],
)
def test_rev_14_bad_input_gives_a_clear_message_and_saves_nothing(client, users, draft, value, reason, message):
    item = scored_items(draft.template)[0]
    response = login(client, users["legal_officer"]).post(
        reverse("reviews:edit", args=[draft.pk]),
        {f"deduct_{item.pk}": value, f"reason_{item.pk}": reason, "action": "submit"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReviewFinding.objects.exists()
    draft.refresh_from_db()
    assert draft.status == ReviewStatus.DRAFT and draft.score == 100


def test_rev_13_htmx_preview_updates_score_and_grade_without_saving(client, users, draft):
    veto = veto_items(draft.template)[0]
    item = scored_items(draft.template)[1]
    c = login(client, users["legal_officer"])
    response = c.post(reverse("reviews:preview", args=[draft.pk]), {f"deduct_{item.pk}": "4.5"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="score-value">95.5<' in html and "优秀" in html
    response = c.post(reverse("reviews:preview", args=[draft.pk]), {f"veto_{veto.pk}": "1"})
    assert 'id="score-value">0<' in response.content.decode() and "不合格" in response.content.decode()
    assert not ReviewFinding.objects.exists()


@pytest.mark.parametrize("role", ["unit_head", "party_member", "handler"])
def test_rev_7_edit_readable_not_writable_403(client, users, draft, role):
    if role == "handler":
        draft.case_file.main_handler = users["handler"].officer
        draft.case_file.save()
    assert login(client, users[role]).get(reverse("reviews:edit", args=[draft.pk])).status_code == 403
    assert login(client, users[role]).post(reverse("reviews:preview", args=[draft.pk]), {}).status_code == 403


def test_rev_7_edit_outside_jurisdiction_404(client, users, foreign_draft):
    assert (
        login(client, users["legal_officer"]).get(reverse("reviews:edit", args=[foreign_draft.pk])).status_code == 404
    )


def test_rev_7_locked_record_edit_redirects_to_the_record(client, users, dept):
    review = locked_review(reviewable_file(dept), users)
    response = login(client, users["legal_officer"]).post(
        reverse("reviews:edit", args=[review.pk]), {"problems_substance": "改", "action": "save"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("reviews:detail", args=[review.pk])
    review.refresh_from_db()
    assert review.problems_substance == "" and services.verify(review)


@pytest.mark.parametrize(
    "name", ["reviews:detail", "reviews:edit", "reviews:record_pdf", "reviews:notice", "reviews:notice_pdf"]
)
def test_review_pages_send_anonymous_to_login(client, draft, name):
    response = client.get(reverse(name, args=[draft.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_anonymous_posts_go_to_login(client, draft):
    for name in ("reviews:sign", "reviews:preview"):
        response = client.post(reverse(name, args=[draft.pk]))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get(reverse("reviews:coverage")).status_code == 302


# --- detail and signing -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["legal_officer", "legal_head", "unit_head", "party_member", "bureau_staff", "leader"])
def test_rev_7_record_readable_by_department_and_county_roles(client, users, draft, role):
    assert login(client, users[role]).get(reverse("reviews:detail", args=[draft.pk])).status_code == 200


def test_rev_7_record_outside_jurisdiction_404(client, users, foreign_draft):
    for name in ("reviews:detail", "reviews:record_pdf"):
        assert login(client, users["legal_head"]).get(reverse(name, args=[foreign_draft.pk])).status_code == 404
    assert login(client, users["nobody"]).get(reverse("reviews:detail", args=[foreign_draft.pk])).status_code == 404


def test_rev_7_heads_see_their_sign_button_and_sign(client, users, dept):
    review = submitted_review(reviewable_file(dept, main_handler=users["handler"].officer), users["legal_officer"])
    url = reverse("reviews:detail", args=[review.pk])
    officer_page = login(client, users["legal_officer"]).get(url).content.decode()
    assert "以法制机构负责人身份签署" not in officer_page
    head_page = login(client, users["legal_head"]).get(url).content.decode()
    assert "以法制机构负责人身份签署" in head_page and "以执法机构负责人身份签署" not in head_page
    response = client.post(reverse("reviews:sign", args=[review.pk]), {"role": "legal_head"}, follow=True)
    assert "待另一位负责人签署" in response.content.decode()
    response = login(client, users["unit_head"]).post(
        reverse("reviews:sign", args=[review.pk]), {"role": "unit_head"}, follow=True
    )
    assert "记录已锁定" in response.content.decode()
    review.refresh_from_db()
    assert review.is_locked


def test_rev_7_reviewer_signing_for_the_head_is_refused_with_the_rule(client, users, dept):
    review = submitted_review(reviewable_file(dept), users["legal_officer"])
    response = login(client, users["legal_officer"]).post(
        reverse("reviews:sign", args=[review.pk]), {"role": "legal_head"}, follow=True
    )
    assert "REV-7" in response.content.decode()
    assert not review.signatures.exists()


def test_rev_7_sign_outside_jurisdiction_404(client, users, foreign_draft):
    response = login(client, users["legal_head"]).post(
        reverse("reviews:sign", args=[foreign_draft.pk]), {"role": "legal_head"}
    )
    assert response.status_code == 404


# --- PDFs and notice ----------------------------------------------------------------------------


def test_rev_7_record_pdf_served_inline(client, users, draft):
    response = login(client, users["legal_officer"]).get(reverse("reviews:record_pdf", args=[draft.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_rev_7_handler_opens_the_notice_and_reading_is_recorded(client, users, dept):
    case = reviewable_file(dept, main_handler=users["handler"].officer)
    review = locked_review(case, users)
    c = login(client, users["handler"])
    inbox = c.get(reverse("notices:inbox")).content.decode()
    assert case.number in inbox
    response = c.get(reverse("reviews:notice", args=[review.pk]))
    assert response.status_code == 200 and "已记录您阅读" in response.content.decode()
    review.notice.refresh_from_db()
    assert review.notice.read_at is not None
    pdf_response = c.get(reverse("reviews:notice_pdf", args=[review.pk]))
    assert pdf_response.status_code == 200 and pdf_response.content.startswith(b"%PDF")


def test_rev_7_notice_of_unlocked_record_is_404(client, users, draft):
    assert login(client, users["legal_head"]).get(reverse("reviews:notice", args=[draft.pk])).status_code == 404


def test_rev_7_other_handler_cannot_see_the_notice(client, users, dept):
    review = locked_review(reviewable_file(dept), users)  # handled by someone else
    assert login(client, users["handler"]).get(reverse("reviews:notice", args=[review.pk])).status_code == 404


# --- coverage -----------------------------------------------------------------------------------


def test_rev_6_coverage_rate_excludes_rev_12_files(client, users, dept):
    locked_review(reviewable_file(dept), users)
    reviewable_file(dept)  # closed, not reviewed
    reviewable_file(dept, litigation=LitigationState.PENDING)  # REV-12: not in the denominator
    response = login(client, users["legal_head"]).get(reverse("reviews:coverage") + "?year=2026")
    (row,) = response.context["rows"]
    assert (row.closed, row.excluded, row.reviewable, row.reviewed, row.rate) == (3, 1, 2, 1, 50.0)
    assert "text-bg-danger" in response.content.decode()


def test_rev_6_county_roles_see_every_unit(client, users, dept, other_dept):
    response = login(client, users["bureau_staff"]).get(reverse("reviews:coverage"))
    names = {d.pk for d in response.context["rows"]}
    assert {dept.pk, other_dept.pk} <= names


@pytest.mark.parametrize("role", ["handler", "sysadmin", "nobody"])
def test_rev_6_coverage_refused_403(client, users, role):
    response = login(client, users[role]).get(reverse("reviews:coverage"))
    assert response.status_code == 403 and "REV-6" in response.content.decode()


# --- query counts ---------------------------------------------------------------------------------


def _queue_queries(client, user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("reviews:index")).status_code == 200
    return len(ctx)


def test_rev_7_queue_query_count_is_constant(client, users, dept):
    login(client, users["legal_officer"])
    for _ in range(2):
        services.self_review_start(case_file=reviewable_file(dept), by=users["legal_officer"])
    reviewable_file(dept)
    reviewable_file(dept, closed_on=datetime.date(2026, 6, 1), transferred_for_review_on=None)
    reviewable_file(dept, litigation=LitigationState.PENDING)
    small = _queue_queries(client, users["legal_officer"])
    for _ in range(6):
        services.self_review_start(case_file=reviewable_file(dept), by=users["legal_officer"])
        reviewable_file(dept, closed_on=datetime.date(2026, 6, 1), transferred_for_review_on=None)
        reviewable_file(dept, litigation=LitigationState.PENDING)
    assert _queue_queries(client, users["legal_officer"]) == small


def test_rev_6_coverage_query_count_is_constant(client, users, dept, other_dept):
    login(client, users["bureau_staff"])
    locked_review(reviewable_file(dept), users)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("reviews:coverage"))
        return len(ctx)

    small = count()
    for _ in range(4):
        reviewable_file(other_dept)
        locked_review(reviewable_file(dept), users)
    assert count() == small


def test_rev_7_case_file_page_lists_the_record_and_notice(client, users, dept):
    """REV-7: the record and the notice are kept with the case file (its page lists them)."""
    case = reviewable_file(dept, main_handler=users["handler"].officer)
    review = locked_review(case, users)
    for role in ("handler", "legal_officer", "bureau_staff"):
        html = login(client, users[role]).get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert reverse("reviews:detail", args=[review.pk]) in html, role
        assert reverse("reviews:notice", args=[review.pk]) in html, role
    assert "未阅读" in html


def test_rev_7_case_panel_shows_nothing_to_a_user_without_access(users, dept):
    from reviews.panels import case_reviews_panel

    case = reviewable_file(dept, main_handler=users["handler"].officer)
    locked_review(case, users)
    assert case_reviews_panel(users["nobody"], case)["review"] is None
    assert case_reviews_panel(users["handler"], case)["review"] is not None


def test_rev_16_excellent_library_masks_the_party_and_is_open_to_every_unit(client, users, dept, other_dept):
    case = reviewable_file(dept, party_name="张三丰")
    locked_review(case, users)
    reader = certified_officer(other_dept, roles=["handler"]).user
    response = login(client, reader).get(reverse("reviews:library"))
    html = response.content.decode()
    assert response.status_code == 200 and case.number in html
    assert "张三丰" not in html and "张**" in html


def test_rev_16_library_refused_for_administrators_and_anonymous(client, users):
    assert login(client, users["sysadmin"]).get(reverse("reviews:library")).status_code == 403
    client.logout()
    assert client.get(reverse("reviews:library")).status_code == 302


def test_rev_7_heads_see_records_awaiting_their_signature_on_the_queue(client, users, dept):
    review = submitted_review(reviewable_file(dept), users["legal_officer"])
    html = login(client, users["unit_head"]).get(reverse("reviews:index")).content.decode()
    assert "待我签署的自查记录" in html and reverse("reviews:detail", args=[review.pk]) in html
    services.self_review_sign(review=review, by=users["unit_head"], role="unit_head")
    html = client.get(reverse("reviews:index")).content.decode()
    assert "待我签署的自查记录" not in html
    assert "待我签署的自查记录" in login(client, users["legal_head"]).get(reverse("reviews:index")).content.decode()
