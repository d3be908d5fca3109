"""PDFs of the review room (REV-7): the written notice (评查结果通知书) and the self-review
record (评查记录表). A4, official layout, Noto CJK fonts (ux.md).

Speed (performance.md target 9, ≤ 0.5 s a PDF): each thread keeps one WeasyPrint
``FontConfiguration`` (fontconfig and the Pango font map, so the Noto CJK faces are opened once)
and the shared style (``_style.html``) parsed once into a ``CSS`` object, passed as ``stylesheets=``;
the tables use ``table-layout: fixed`` (column widths from the first row: no min/max-content pass,
which for CJK text shapes every cell once per character). Most of what is left is WeasyPrint
subsetting the two Noto faces (regular and bold), which costs about the same for any text.
A change to ``_style.html`` needs a restart of the process."""

from __future__ import annotations

import threading

from django.template.loader import render_to_string
from django.utils import timezone

from .choices import ItemKind, Stage

STYLE_TEMPLATE = "reviews/pdf/_style.html"
_local = threading.local()  # WeasyPrint's font objects are not meant to be shared between threads


def _tools():
    """This thread's (FontConfiguration, parsed stylesheet), made on first use."""
    tools = getattr(_local, "tools", None)
    if tools is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        source = render_to_string(STYLE_TEMPLATE)
        css = source.split("<style>", 1)[-1].rsplit("</style>", 1)[0]
        tools = _local.tools = (font_config, CSS(string=css, font_config=font_config))
    return tools


def _render(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    font_config, stylesheet = _tools()
    html = render_to_string(template, context)
    return HTML(string=html).write_pdf(font_config=font_config, stylesheets=[stylesheet])


def _context(review) -> dict:
    case = review.case_file
    findings = {f.item_id: f for f in review.findings.all()}
    items = list(review.template.items.all())
    stages = []
    for stage in Stage:
        rows = []
        for item in (i for i in items if i.kind == ItemKind.SCORED and i.stage == stage):
            f = findings.get(item.pk)
            deduction = min(f.deduction, item.points) if f else 0
            rows.append({"item": item, "deduction": deduction, "score": item.points - deduction, "finding": f})
        if rows:
            stages.append({"label": stage.label, "rows": rows, "span": len(rows)})
    veto = [{"item": i, "finding": findings.get(i.pk)} for i in items if i.kind == ItemKind.VETO]
    signatures = {s.role: s for s in review.signatures.all()}
    return {
        "review": review,
        "case": case,
        "stages": stages,
        "veto": veto,
        "signatures": signatures,
        "legal_sig": signatures.get("legal_head"),
        "unit_sig": signatures.get("unit_head"),
        "issued_on": timezone.localdate(review.locked_at) if review.locked_at else timezone.localdate(),
    }


def record_pdf(review) -> bytes:
    return _render("reviews/pdf/record.html", _context(review))


def notice_pdf(review) -> bytes:
    return _render("reviews/pdf/notice.html", _context(review))
