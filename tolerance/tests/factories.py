"""Factories and helpers of the tolerance tests, building on tests/factories.py. Write-side
helpers go through the services so that every rule applies."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import certified_officer
from tolerance import services
from tolerance.models import Circumstance

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

ANALYSIS = {
    "subjective": "主观上无故意，出于推动工作",
    "objective": "客观上政策界限不明确",
    "procedure": "按规定程序集体研究",
    "nature": "情节轻微",
    "consequences": "未造成重大损失",
    "recovery": "已主动挽回损失",
}


def codes(*values: str) -> list[Circumstance]:
    return list(Circumstance.objects.filter(code__in=values))


def application_data(**overrides) -> dict:
    data = {
        "act": "在开展食品安全检查中临机决断先行查封，事后发现依据不足。",
        "act_date": datetime.date(2026, 3, 10),
        "error_category": "procedure",
        "field": "market",
        "statement": "为防止执法风险临机决断，已主动纠正。",
    }
    data.update(overrides)
    return data


def draft(user, officer=None, cites=("TOL-11.5", "TOL-12.1"), case_files=(), **data):
    officer = officer or user.officer
    return services.application_create(
        by_user=user, officer=officer, data=application_data(**data), circumstances=codes(*cites), case_files=case_files
    )


def add_evidence(application, user):
    return services.evidence_add(
        application=application, by_user=user, upload=SimpleUploadedFile("证据.pdf", PDF), description="现场笔录"
    )


def investigating(users, cites=("TOL-11.5", "TOL-12.1"), **kw):
    """An application by the ``users`` fixture's handler, submitted and under investigation."""
    application = draft(users["handler"], cites=cites, **kw)
    add_evidence(application, users["handler"])
    services.application_submit(application=application, by_user=users["handler"])
    services.application_investigate(application=application, by_user=users["legal_officer"], findings="情况属实。")
    application.refresh_from_db()
    return application


def decision_data(**overrides) -> dict:
    data = {
        "facts": "经调查核实，当事人在检查中临机决断。",
        "legal_basis": "《隰县行政执法尽职免责和容错纠错制度（试行）》第十一条",
        **ANALYSIS,
        "c1": True,
        "c1_reason": "法律未明令禁止",
        "c2": True,
        "c2_reason": "未造成重大损失",
        "c3": True,
        "c3_reason": "已主动挽回",
        "veto": False,
        "veto_reason": "",
        "outcome": "exempt",
        "publication_scope": "unit",
    }
    data.update(overrides)
    return data


def decide(users, application, accepted=("TOL-11.5",), on=None, **overrides):
    party = users["party_member"]
    return services.decision_record(
        application=application,
        by_user=party,
        data=decision_data(**overrides),
        accepted=codes(*accepted),
        members_present=[party.officer],
        on=on,
    )


def party_member(dept, name="党组成员丁"):
    return certified_officer(dept, roles=["party_member"], name=name)
