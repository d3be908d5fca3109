"""The decision document (容错免责认定决定书): its number comes from the unit's
per-year sequence (stored on the decision), never the database id; the text cites articles of
the regulation, not the platform's codes (TOL-11.4), and says "并向社会公开" correctly."""

from __future__ import annotations

import datetime
import subprocess

import pytest
from django.urls import reverse

from tests.factories import certified_officer
from tolerance import services
from tolerance.catalogue import article_reference
from tolerance.pdf import decision_pdf

from .factories import add_evidence, codes, decide, decision_data, draft, investigating, party_member

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    out = subprocess.run(["pdftotext", "-raw", "-", "-"], input=content, capture_output=True, check=True).stdout
    return "".join(out.decode().split())


def test_article_reference_is_the_regulation_not_the_code():
    assert article_reference("第十一条（四）") == "《隰县行政执法尽职免责和容错纠错制度（试行）》第十一条第（四）项"
    assert article_reference("第十三条", with_title=False) == "第十三条"


def test_decision_numbers_follow_the_unit_sequence_per_year(users, other_dept):
    first = decide(users, investigating(users), on=datetime.date(2026, 4, 1))
    second = decide(users, investigating(users), on=datetime.date(2026, 4, 2))
    next_year = decide(users, investigating(users), on=datetime.date(2027, 1, 5))
    assert [first.number, second.number, next_year.number] == [
        "市场监管局容认〔2026〕1号",
        "市场监管局容认〔2026〕2号",
        "市场监管局容认〔2027〕1号",
    ]
    # another unit starts its own sequence
    officer = certified_officer(other_dept, roles=["handler"]).user
    legal = certified_officer(other_dept, roles=["legal_officer"]).user
    party = party_member(other_dept).user
    application = draft(officer)
    add_evidence(application, officer)
    services.application_submit(application=application, by_user=officer)
    services.application_investigate(application=application, by_user=legal, findings="属实。")
    application.refresh_from_db()
    other = services.decision_record(
        application=application,
        by_user=party,
        data=decision_data(),
        accepted=codes("TOL-11.5"),
        members_present=[party.officer],
        on=datetime.date(2026, 4, 3),
    )
    assert other.document_number == "龙泉镇容认〔2026〕1号"
    first.refresh_from_db()
    assert first.document_number == "市场监管局容认〔2026〕1号"  # stored, not recomputed


def test_decision_pdf_prints_the_number_and_articles_without_codes(users):
    decision = decide(
        users,
        investigating(users, cites=("TOL-11.4", "TOL-12.1")),
        accepted=("TOL-11.4", "TOL-12.1"),
        publication_scope="public",
    )
    text = pdf_text(decision_pdf(decision))
    assert decision.document_number == "市场监管局容认〔2026〕1号" and decision.document_number in text
    assert "TOL-" not in text
    assert "《隰县行政执法尽职免责和容错纠错制度（试行）》第十一条第（四）项" in text
    assert "第十二条第（一）项" in text
    assert "并在向社会公开" not in text and "并向社会公开" in text
    assert f"容认{decision.pk}号" not in text  # the old "〔2026〕容认 <id> 号"


@pytest.mark.parametrize(
    ("scope", "phrase"), [("unit", "，并在本单位内公开"), ("county", "，并在全县各部门公开"), ("none", None)]
)
def test_decision_pdf_states_the_publication_scope_in_plain_words(users, scope, phrase):
    decision = decide(users, investigating(users), publication_scope=scope)
    text = pdf_text(decision_pdf(decision))
    assert f"告知当事人及相关单位{phrase or ''}。" in text


def test_pages_show_the_document_number(client, users):
    decision = decide(users, investigating(users), publication_scope="public")
    client.force_login(users["handler"])
    page = client.get(reverse("tolerance:application", args=[decision.application_id])).content.decode()
    assert decision.document_number in page
    public = client.get(reverse("tolerance:publications")).content.decode()
    assert decision.document_number in public


def test_migration_numbers_existing_decisions_in_order_and_the_sequence_carries_on(users):
    """tolerance/0003 on decisions recorded before the sequence (run on today's models)."""
    import importlib

    from django.apps import apps

    from xian_enforcement.documents.models import DocumentSequence

    migration = importlib.import_module("tolerance.migrations.0003_decision_document_number")
    later = decide(users, investigating(users), on=datetime.date(2026, 4, 2))
    earlier = decide(users, investigating(users), on=datetime.date(2026, 4, 1))
    Decision = apps.get_model("tolerance", "Decision")
    Decision.objects.update(document_number="")
    DocumentSequence.objects.all().delete()
    migration.number_existing_decisions(apps, None)
    earlier.refresh_from_db()
    later.refresh_from_db()
    assert (earlier.document_number, later.document_number) == (
        "市场监管局容认〔2026〕1号",
        "市场监管局容认〔2026〕2号",
    )
    assert decide(users, investigating(users), on=datetime.date(2026, 4, 3)).document_number.endswith("〔2026〕3号")
