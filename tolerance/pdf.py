"""The decision document (容错免责认定决定书) as a PDF: A4, official layout, WeasyPrint."""

from __future__ import annotations

from django.template.loader import render_to_string

from .models import Decision


def decision_pdf(decision: Decision) -> bytes:
    from weasyprint import HTML

    application = decision.application
    html = render_to_string(
        "tolerance/decision_pdf.html",
        {
            "d": decision,
            "a": application,
            "accepted": list(decision.accepted.all()),
            "members": list(decision.members_present.all()),
            "case_files": list(application.case_files.all()),
            "conditions": [
                ("TOL-11.C1", decision.c1, decision.c1_reason, "法律没有明令禁止的"),
                ("TOL-11.C2", decision.c2, decision.c2_reason, "没有造成重大损失和严重不良影响的"),
                ("TOL-11.C3", decision.c3, decision.c3_reason, "积极主动消除不良影响、挽回损失的"),
            ],
        },
    )
    return HTML(string=html).write_pdf()
