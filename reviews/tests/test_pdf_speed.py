"""performance.md target 9 (review record and notice PDF ≤ 0.5 s each), the parts a test can hold
without timing anything (the bench times them): the style is parsed once per thread and still
applied (A4, page footer, bold title face), the PDFs keep their text, and the record runs the
same queries whatever the number of findings."""

from __future__ import annotations

import subprocess
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from reviews import pdf
from reviews.models import SelfReview

from .factories import locked_review, reviewable_file, scored_items, template_for, veto_items

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    """The PDF's text in drawing order (a table cell's lines stay together), whitespace removed
    (letter-spacing and line breaks split words)."""
    out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=content, capture_output=True, check=True).stdout
    return "".join(out.decode().split())


def poppler(tool: str, content: bytes) -> str:
    return subprocess.run([tool, "-"], input=content, capture_output=True, check=True).stdout.decode()


def fresh(review: SelfReview) -> SelfReview:
    """As the views and the bench load it."""
    return SelfReview.objects.select_related("case_file", "template").get(pk=review.pk)


def review_with_findings(dept, users, n_scored: int, *, veto: bool = False, **case):
    file = reviewable_file(dept, **case)
    template = template_for(file)
    findings = {item.pk: (False, Decimal(1), f"扣分理由{item.order}号") for item in scored_items(template)[:n_scored]}
    if veto:
        findings[veto_items(template)[0].pk] = (True, Decimal(0), "协办人执法证已过期")
    return locked_review(file, users, findings=findings)


def test_style_parsed_once_per_thread_not_in_the_documents():
    first = pdf._tools()
    assert pdf._tools() is first
    other = []
    thread = threading.Thread(target=lambda: other.append(pdf._tools()))
    thread.start()
    thread.join()
    assert other[0] is not first and other[0][0] is not first[0]
    # the documents do not carry the style themselves (it would be parsed a second time)
    assert "<style" not in render_to_string("reviews/pdf/record.html", {"stages": [], "veto": []})
    assert "<style" not in render_to_string("reviews/pdf/notice.html", {"veto": []})


def test_record_pdf_keeps_its_text_style_and_fonts(users, dept):
    review = review_with_findings(dept, users, 3, veto=True, party_name="隰县某副食店", number="隰市监罚〔2026〕9号")
    content = pdf.record_pdf(fresh(review))
    text = pdf_text(content)
    for label in ("行政执法案卷评查记录表", "实施单位", "隰县市场监督管理局", "当事人", "隰县某副食店", "案号"):
        assert label in text
    assert "隰市监罚〔2026〕9号" in text and "评查标准" in text
    for label in ("评查项目", "序号", "评查内容", "分值", "扣分", "得分", "合计", "立案", "调查取证"):
        assert label in text
    template = template_for(review.case_file)
    for item in scored_items(template) + veto_items(template):
        assert "".join(item.text.split()) in text
    assert "扣分理由：扣分理由1号" in text and "扣分理由：扣分理由3号" in text
    assert "一票否决项" in text and "协办人执法证已过期" in text and "存在" in text
    assert "卷内询问笔录缺少签名" in text and "不合格" in text
    assert "评查人：" in text and "法制机构负责人：" in text and "执法机构负责人：" in text
    assert "内容摘要SHA-256" in text and review.digest in text
    assert "第1页共2页" in text and "第2页共2页" in text  # @page footer from the shared style
    assert "(A4)" in poppler("pdfinfo", content)
    fonts = poppler("pdffonts", content)
    assert "Noto-Serif-CJK-SC-Bold" in fonts and "Noto-Serif-CJK-SC " in fonts


def test_notice_pdf_keeps_its_text_and_style(users, dept):
    review = review_with_findings(dept, users, 1, number="隰市监罚〔2026〕88号")
    content = pdf.notice_pdf(fresh(review))
    text = pdf_text(content)
    case = review.case_file
    for label in ("行政执法案卷评查结果通知书", "隰县市场监督管理局", "隰市监罚〔2026〕88号", "实施单位", "案由"):
        assert label in text
    assert f"{case.main_handler.name}同志" in text and "结案日期" in text and "评查等次" in text
    assert "发现的问题" in text and "程序方面" in text and "卷内询问笔录缺少签名" in text
    assert "法制机构负责人" in text and "执法机构负责人" in text
    assert "第1页共1页" in text
    assert "(A4)" in poppler("pdfinfo", content)
    assert "Noto-Serif-CJK-SC-Bold" in poppler("pdffonts", content)


def test_record_pdf_queries_do_not_grow_with_findings(users, dept):
    few = review_with_findings(dept, users, 1)
    many = review_with_findings(dept, users, 12, veto=True)
    counts = []
    for review in (few, many):
        review = fresh(review)
        with CaptureQueriesContext(connection) as queries:
            pdf.record_pdf(review)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6, counts
