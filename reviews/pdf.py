"""PDFs of the review room (REV-7): the written notice (评查结果通知书) and the self-review
record (评查记录表). A4, official layout, Noto CJK fonts (ux.md)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from .choices import ItemKind, Stage


def _render(template: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html).write_pdf()


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
