"""The decision document (容错免责认定决定书) as a PDF: A4, official layout, WeasyPrint.

The text is the unit's document: its number from the unit's per-year sequence (stored on the
decision), circumstances cited as articles of the regulation, never the platform's codes."""

from __future__ import annotations

from django.template.loader import render_to_string

from .catalogue import REGULATION_TITLE, article_reference
from .choices import PublicationScope
from .conf import rule
from .models import Decision

# How the decision states its publication (TOL-14d), after "…告知当事人及相关单位，并".
PUBLICATION_PHRASES = {
    PublicationScope.UNIT: "在本单位内公开",
    PublicationScope.COUNTY: "在全县各部门公开",
    PublicationScope.PUBLIC: "向社会公开",
}


def decision_context(decision: Decision) -> dict:
    application = decision.application
    return {
        "d": decision,
        "a": application,
        "regulation": REGULATION_TITLE,
        "accepted": [
            {"reference": article_reference(c.article), "text": c.text} for c in decision.accepted.order_by("order")
        ],
        "members": list(decision.members_present.all()),
        "case_files": list(application.case_files.all()),
        "conditions": [
            (decision.c1, decision.c1_reason, "法律没有明令禁止的"),
            (decision.c2, decision.c2_reason, "没有造成重大损失和严重不良影响的"),
            (decision.c3, decision.c3_reason, "积极主动消除不良影响、挽回损失的"),
        ],
        "publication": PUBLICATION_PHRASES.get(decision.publication_scope, ""),
        "notify_days": rule("TOL_14C_NOTIFY_DAYS"),
    }


def decision_pdf(decision: Decision) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_to_string("tolerance/decision_pdf.html", decision_context(decision))).write_pdf()
