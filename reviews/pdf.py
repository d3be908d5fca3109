"""PDFs of the review room (REV-7): the written notice (评查结果通知书) and the self-review
record (评查记录表). A4, official layout, Noto CJK fonts (ux.md).

Speed (performance.md target 9, ≤ 0.5 s a PDF): each thread keeps one WeasyPrint
``FontConfiguration`` (fontconfig and the Pango font map, so the Noto CJK faces are opened once)
and the shared style (``_style.html``) parsed once into a ``CSS`` object, passed as ``stylesheets=``;
the tables use ``table-layout: fixed`` (column widths from the first row: no min/max-content pass,
which for CJK text shapes every cell once per character). The text is set in "Xian Serif SC",
a subset of Noto Serif CJK SC made once under ``VAR_DIR/fonts`` (reviews/fonts.py): WeasyPrint
subsets each face it embeds in every PDF, and from the 65,535-glyph system collection (the
Chinese punctuation sits at glyph ids near 60,000) that is slow; from the small subset it is not.
Long-running processes run ``warm_up()`` at start (registered in ReviewsConfig.ready() with
xian_enforcement.warmup.register_warm_up; it imports WeasyPrint, so no user pays for that).
A change to ``_style.html`` needs a restart of the process."""

from __future__ import annotations

import atexit
import logging
import shutil
import threading
import weakref

from django.template.loader import render_to_string
from django.utils import timezone

from . import fonts
from .choices import ItemKind, Stage

STYLE_TEMPLATE = "reviews/pdf/_style.html"
_local = threading.local()  # WeasyPrint's font objects are not meant to be shared between threads
_font_configs = weakref.WeakSet()
logger = logging.getLogger(__name__)


def _tools():
    """This thread's (FontConfiguration, parsed stylesheet), made on first use."""
    tools = getattr(_local, "tools", None)
    if tools is None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        source = render_to_string(STYLE_TEMPLATE)
        css = source.split("<style>", 1)[-1].rsplit("</style>", 1)[0]
        faces = "\n".join(face.css for face in fonts.font_faces())  # the subset font, made if missing
        tools = _local.tools = (font_config, CSS(string=f"{faces}\n{css}", font_config=font_config))
        _font_configs.add(font_config)
    return tools


@atexit.register
def _remove_font_copies() -> None:
    """WeasyPrint copies each @font-face file into a temporary folder per FontConfiguration and
    removes it in ``__del__``, which at interpreter shutdown runs after ``shutil`` is gone (the
    folder stayed, and "Exception ignored in FontConfiguration.__del__" was printed). Remove
    them while the interpreter is whole."""
    for font_config in list(_font_configs):
        folder, font_config._folder = getattr(font_config, "_folder", None), None
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


DOCUMENTS = ("reviews/pdf/record.html", "reviews/pdf/notice.html")


def warm_up() -> None:
    """What this thread's first PDF would pay: the subset font (made if missing), fontconfig,
    the parsed style, the two document templates compiled (Django's cached loader; the first
    compile also builds Django's template regexes), and Pango opening and shaping with
    both faces (a one-line document). Never raises: a process starts even if it fails (the
    first PDF then tries again)."""
    try:
        from django.template.loader import get_template
        from weasyprint import HTML

        for name in DOCUMENTS:
            get_template(name)
        font_config, stylesheet = _tools()
        html = '<html lang="zh-CN"><body><h1>评查</h1><table><tr><th>序号</th><td>（一）：，1</td></tr></table></body></html>'
        HTML(string=html).write_pdf(font_config=font_config, stylesheets=[stylesheet])
    except Exception:  # a warm-up must not stop the process starting
        logger.exception("PDF warm-up failed")


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


def notice_pdf(review, *, document_number: str, issued_on=None) -> bytes:
    """REV-7: the written notice, printed once when it is issued: ``document_number`` from the
    unit's sequence (``services._deliver_notice``), dated ``issued_on``."""
    context = _context(review)
    context["document_number"] = document_number
    if issued_on is not None:
        context["issued_on"] = issued_on
    return _render("reviews/pdf/notice.html", context)
