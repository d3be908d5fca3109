"""performance.md target 9 (review record and notice PDF ≤ 0.5 s each), the parts a test can hold
without timing anything (the bench times them): the style is parsed once per thread and still
applied (A4, page footer, bold title face), the PDFs keep their text, and the record runs the
same queries whatever the number of findings. The text is set in the subset font made once under
VAR_DIR/fonts (reviews/fonts.py: WeasyPrint's per-PDF subsetting of the full 65,535-glyph Noto
collection was the largest cost left), with the system font for characters outside it."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext, override_settings

from reviews import fonts, pdf
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
    embedded = poppler("pdffonts", content)
    # regular and bold (title 900, headers 700) both from the subset; nothing from the system font
    assert "+Xian-Serif-SC-Bold " in embedded and "+Xian-Serif-SC " in embedded
    assert "Noto" not in embedded


def test_notice_pdf_keeps_its_text_and_style(users, dept):
    review = review_with_findings(dept, users, 1, number="隰市监罚〔2026〕88号")
    content = pdf.notice_pdf(fresh(review), document_number="市场监管局评查〔2026〕5号")
    text = pdf_text(content)
    case = review.case_file
    for label in (
        "行政执法案卷评查结果通知书",
        "市场监管局评查〔2026〕5号",
        "隰县市场监督管理局",
        "隰市监罚〔2026〕88号",
        "实施单位",
        "案由",
    ):
        assert label in text
    assert f"{case.main_handler.name}同志" in text and "结案日期" in text and "评查等次" in text
    assert "发现的问题" in text and "程序方面" in text and "卷内询问笔录缺少签名" in text
    assert "法制机构负责人" in text and "执法机构负责人" in text
    assert "第1页共1页" in text
    assert "(A4)" in poppler("pdfinfo", content)
    embedded = poppler("pdffonts", content)
    assert "+Xian-Serif-SC-Bold " in embedded and "+Xian-Serif-SC " in embedded and "Noto" not in embedded


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


def test_subset_font_is_made_under_var_dir_and_used_by_the_style(settings):
    faces = fonts.font_faces()
    assert [face.weight for face in faces] == [400, 700]
    for face in faces:
        assert face.path.parent == settings.VAR_DIR / "fonts" and face.path.stat().st_size < 6_000_000
        assert face.css.startswith('@font-face { font-family: "Xian Serif SC"; font-weight: ')
    style = render_to_string(pdf.STYLE_TEMPLATE)
    assert style.count('font-family: "Xian Serif SC", "Noto Serif CJK SC", serif;') == 4  # page, footer, body, h1
    # the whole of GB 2312 (6,763 hanzi and the symbols), ASCII and the CJK punctuation are kept
    points = set(fonts.charset())
    assert {ord(c) for c in "隰县市场监督管理局：，（）〔〕《》、。“”—…０Ａ"} <= points
    assert sum(0x4E00 <= p <= 0x9FFF for p in points) == 6763
    assert set(range(0x20, 0x7F)) <= points


def test_character_outside_the_subset_comes_from_the_system_font(users, dept, caplog):
    for rare in "堃喆龘":  # not in GB 2312, so not in the subset
        with pytest.raises(UnicodeEncodeError):
            rare.encode("gb2312")
    review = review_with_findings(dept, users, 1, party_name="隰县张堃喆副食店龘")
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        content = pdf.record_pdf(fresh(review))
    assert "隰县张堃喆副食店龘" in pdf_text(content)
    assert not [r for r in caplog.records if "notdef" in r.getMessage()]  # a real glyph, not a box
    embedded = poppler("pdffonts", content)
    assert "+Xian-Serif-SC " in embedded and "+Noto-Serif-CJK-SC " in embedded


def test_subset_font_generation_is_idempotent(tmp_path):
    with override_settings(VAR_DIR=tmp_path):
        stale = tmp_path / "fonts" / "xian-serif-sc-regular-000000000000.otf"  # from an earlier system font
        stale.parent.mkdir()
        stale.write_bytes(b"old")
        first = fonts.font_faces()
        made = {face.path: (face.path.stat().st_ino, face.path.stat().st_mtime_ns) for face in first}
        assert len(made) == 2 and not stale.exists()
        assert all(oct(path.stat().st_mode)[-3:] == "644" for path in made)
        second = fonts.font_faces()
        assert second == first
        assert {face.path: (face.path.stat().st_ino, face.path.stat().st_mtime_ns) for face in second} == made
        assert sorted(os.listdir(tmp_path / "fonts")) == sorted(path.name for path in made)  # no temporary files


def system_font_tools():
    """The style as it was before the subset font: the system Noto Serif CJK SC only."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    source = render_to_string(pdf.STYLE_TEMPLATE).split("<style>", 1)[-1].rsplit("</style>", 1)[0]
    font_config = FontConfiguration()
    return font_config, CSS(string=source.replace('"Xian Serif SC", ', ""), font_config=font_config)


def test_subset_font_looks_exactly_like_the_system_font():
    """Same outlines, metrics and baselines: the pages are the same pixels, including lines that
    start with a character taken from the system font (Pango aligns runs with the BASE table)."""
    from weasyprint import HTML

    html = (
        '<html lang="zh-CN"><body><h1>行政执法案卷评查结果通知书</h1>'
        "<p>隰县市场监督管理局：经评查，隰市监罚〔2026〕9号案卷（当事人：张堃）为“合格”；ABC abc 0123。</p>"
        '<p class="noindent">堃字开头的一行，龘、喆。</p>'
        "<table><tr><th>序号</th><td>龘堃喆：扣分理由</td></tr></table></body></html>"
    )
    pages = []
    for font_config, stylesheet in (pdf._tools(), system_font_tools()):
        content = HTML(string=html).write_pdf(font_config=font_config, stylesheets=[stylesheet])
        pages.append(
            subprocess.run(["pdftoppm", "-r", "100", "-"], input=content, capture_output=True, check=True).stdout
        )
    assert len(pages[0]) > 100_000 and pages[0] == pages[1]


def test_without_harfbuzz_subset_the_system_font_is_used(users, dept, monkeypatch, tmp_path):
    not_a_dir = tmp_path / "var"
    not_a_dir.write_bytes(b"")
    with override_settings(VAR_DIR=not_a_dir):  # the subset cannot be written (as for a read-only VAR_DIR)
        assert fonts.font_faces() == []
    monkeypatch.setattr(fonts, "_libs", lambda: None)
    assert fonts.font_faces() == []
    review = fresh(review_with_findings(dept, users, 1))
    kept, pdf._local.tools = getattr(pdf._local, "tools", None), None  # this thread's tools made afresh
    try:
        content = pdf.record_pdf(review)
    finally:
        pdf._local.tools = kept
    embedded = poppler("pdffonts", content)
    assert "+Noto-Serif-CJK-SC-Bold " in embedded and "+Noto-Serif-CJK-SC " in embedded and "Xian" not in embedded
