"""The written notice of a self-review (评查结果通知书, REV-7): its number comes from
the unit's per-year sequence when the notice is issued, is stored on the notice and printed on
the PDF and the page, never the record's database id."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import ReviewNotice
from tests.factories import certified_officer

from .factories import locked_review, reviewable_file
from .test_pdf_speed import pdf_text

pytestmark = pytest.mark.django_db


def _notice_text(notice: ReviewNotice) -> str:
    with notice.pdf.open("rb") as fh:
        return pdf_text(fh.read())


def test_rev_7_notices_are_numbered_per_unit_and_year(users, dept, other_dept):
    year = timezone.localdate().year
    first = locked_review(reviewable_file(dept), users).notice
    second = locked_review(reviewable_file(dept, closed_on=datetime.date(2026, 5, 2)), users).notice
    assert [first.document_number, second.document_number] == [
        f"市场监管局评查〔{year}〕1号",
        f"市场监管局评查〔{year}〕2号",
    ]
    # another unit: its own sequence
    people = {
        "legal_officer": certified_officer(other_dept, roles=["legal_officer"]).user,
        "legal_head": certified_officer(other_dept, roles=["legal_head"]).user,
        "unit_head": certified_officer(other_dept, roles=["unit_head"]).user,
    }
    other = locked_review(reviewable_file(other_dept), people).notice
    assert other.document_number == f"龙泉镇评查〔{year}〕1号"


def test_rev_7_notice_pdf_and_page_show_the_stored_number(client, users, dept):
    review = locked_review(reviewable_file(dept), users)
    notice = review.notice
    text = _notice_text(notice)
    assert notice.document_number in text
    assert f"评查第{review.pk}号" not in text  # the old "〔year〕评查第 <id> 号"
    client.force_login(users["legal_officer"])
    page = client.get(reverse("reviews:notice", args=[review.pk])).content.decode()
    assert notice.document_number in page


def test_rev_7_pdf_downloads_are_named_by_the_number_not_the_id(client, users, dept):
    """The notice PDF is saved as 市场监管局评查〔2026〕1号.pdf (RFC 5987 ``filename*``), the
    record as <案号>评查记录表.pdf; neither name carries the database id."""
    from urllib.parse import quote

    review = locked_review(reviewable_file(dept), users)
    client.force_login(users["legal_officer"])
    notice = client.get(reverse("reviews:notice_pdf", args=[review.pk]))
    assert notice.status_code == 200
    assert notice["Content-Disposition"] == "inline; filename*=utf-8''" + quote(f"{review.notice.document_number}.pdf")
    record = client.get(reverse("reviews:record_pdf", args=[review.pk]))
    assert record["Content-Disposition"] == "inline; filename*=utf-8''" + quote(
        f"{review.case_file.number}评查记录表.pdf"
    )
    for response in (notice, record):
        assert f"-{review.pk}.pdf" not in response["Content-Disposition"]
