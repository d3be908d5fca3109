"""REV-7: nobody vouches for their own work. A legal officer does not self-review a case file
they handled (main handler or co-handler), and a head (legal_head / unit_head) who handled the
file does not sign its record: another holder of the post (a deputy) signs, and when there is
none the record page says so."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import CaseFile
from reviews import selectors, services
from reviews.choices import ReviewStatus
from reviews.models import SelfReview
from reviews.tests.factories import reviewable_file, submitted_review
from reviews.tests.test_recheck import REASON, amended_record, recheck_post
from tests.factories import certified_officer
from xian_enforcement.errors import DomainError

pytestmark = pytest.mark.django_db


def _handled_by(dept, user, how):
    if how == "main":
        return reviewable_file(dept, main_handler=user.officer)
    return reviewable_file(dept, co_handlers=[user.officer, certified_officer(dept)])


@pytest.mark.parametrize("how", ["main", "co"])
def test_rev_7_legal_officer_cannot_start_the_review_of_a_file_they_handled(client, users, dept, how):
    officer = users["legal_officer"]
    case = _handled_by(dept, officer, how)
    client.force_login(officer)
    queue = client.get(reverse("reviews:index")).content.decode()
    assert case.number in queue and reverse("reviews:start", args=[case.pk]) not in queue
    assert "本人承办，由其他法制机构人员自查" in queue
    response = client.post(reverse("reviews:start", args=[case.pk]))
    assert response.status_code == 403 and "REV-7" in response.content.decode()
    with pytest.raises(DomainError) as exc:
        services.self_review_start(case_file=case, by=officer)
    assert exc.value.rule_id == "REV-7"
    assert not SelfReview.objects.filter(case_file=case).exists()
    # a colleague of the legal office reviews it
    client.force_login(users["legal_head"])
    queue = client.get(reverse("reviews:index")).content.decode()
    assert reverse("reviews:start", args=[case.pk]) in queue
    review = services.self_review_start(case_file=case, by=users["legal_head"])
    assert review.reviewer == users["legal_head"]


def test_rev_7_co_handler_cannot_edit_or_submit_a_record_started_by_a_colleague(client, users, dept):
    officer = users["legal_officer"]
    case = _handled_by(dept, officer, "co")
    review = services.self_review_start(case_file=case, by=users["legal_head"])
    client.force_login(officer)
    assert client.get(reverse("reviews:edit", args=[review.pk])).status_code == 403
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert reverse("reviews:edit", args=[review.pk]) not in page
    for step in (
        lambda: services.self_review_save(
            review=review, by=officer, findings={}, problems_substance="无", problems_procedure=""
        ),
        lambda: services.self_review_submit(review=review, by=officer),
    ):
        with pytest.raises(DomainError) as exc:
            step()
        assert exc.value.rule_id == "REV-7"
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT and review.problems_substance == ""
    services.self_review_submit(review=review, by=users["legal_head"])


@pytest.mark.parametrize("state", ["locked"])
def test_rev_7_handler_cannot_recheck_an_amended_record(client, users, dept, state):
    review = amended_record(state, dept, users)
    CaseFile.co_handlers.through.objects.create(
        casefile_id=review.case_file_id, officer_id=users["legal_officer"].officer.pk
    )
    client.force_login(users["legal_officer"])
    assert recheck_post(client, review).status_code == 403
    review.refresh_from_db()
    assert review.case_amended and not review.rechecks.exists()
    client.force_login(users["legal_head"])
    assert recheck_post(client, review, reason=REASON).status_code == 302
    review.refresh_from_db()
    assert not review.case_amended


@pytest.mark.parametrize("role", ["unit_head", "legal_head"])
@pytest.mark.parametrize("how", ["main", "co"])
def test_rev_7_head_who_handled_the_file_does_not_sign_a_deputy_does(client, users, dept, role, how):
    """The head of the post handled the file: the sign button is not offered, the direct POST is
    403 and signs nothing, the page says that no other holder of the post exists; once a deputy
    holds the post, the page offers them the signature and the record locks."""
    head = users[role]
    other = "legal_head" if role == "unit_head" else "unit_head"
    case = _handled_by(dept, head, how)
    reviewer = users["legal_officer"]
    review = submitted_review(case, reviewer)
    assert services.signer_roles_for(head, review) == []
    assert not selectors.awaiting_my_signature(head).filter(pk=review.pk).exists()

    client.force_login(head)
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert 'name="role"' not in page and 'id="sign-handled"' in page
    assert 'id="sign-missing"' in page and "请安全管理员为本部门另设一位" in page
    response = client.post(reverse("reviews:sign", args=[review.pk]), {"role": role})
    assert response.status_code == 403 and "REV-7" in response.content.decode()
    with pytest.raises(DomainError) as exc:
        services.self_review_sign(review=review, by=head, role=role)
    assert exc.value.rule_id == "REV-7" and "另一位" in exc.value.message
    assert not review.signatures.exists()

    deputy = certified_officer(dept, roles=[role], name="副职负责人").user
    assert services.missing_signers(review) == []
    assert selectors.awaiting_my_signature(deputy).filter(pk=review.pk).exists()
    client.force_login(deputy)
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert 'id="sign-missing"' not in page and f'value="{role}"' in page
    assert client.post(reverse("reviews:sign", args=[review.pk]), {"role": role}).status_code == 302
    services.self_review_sign(review=review, by=users[other], role=other)
    review.refresh_from_db()
    assert review.status == ReviewStatus.LOCKED
    assert {s.user_id for s in review.signatures.all()} == {deputy.pk, users[other].pk}


def test_rev_7_heads_who_did_not_handle_the_file_sign_as_before(client, users, dept):
    review = submitted_review(reviewable_file(dept), users["legal_officer"])
    assert services.missing_signers(review) == []
    client.force_login(users["unit_head"])
    page = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert 'value="unit_head"' in page and 'id="sign-handled"' not in page and 'id="sign-missing"' not in page
