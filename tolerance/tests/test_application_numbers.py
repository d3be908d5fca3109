"""Issue 13: official numbers never a database id. An application gets 容申〔year〕N号 from its
unit's per-year sequence when it is submitted (a draft has none: 草稿（未编号）); a correction
order gets 纠错〔year〕N号 when it is issued; the decision PDF prints the stored application
number; PDF downloads are named by the document number (RFC 5987 ``filename*``)."""

from __future__ import annotations

import datetime
import importlib
from urllib.parse import quote

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from tests.factories import certified_officer
from tolerance import services
from tolerance.models import Application, CorrectionOrder
from tolerance.pdf import decision_pdf
from xian_enforcement.documents.models import DocumentSequence
from xian_enforcement.notices.models import Deadline, Notification

from .factories import add_evidence, decide, draft, investigating
from .test_decision_document import pdf_text

pytestmark = pytest.mark.django_db


def submitted(user, officer=None, **data):
    application = draft(user, officer, **data)
    add_evidence(application, user)
    return services.application_submit(application=application, by_user=user)


def issue(users, decision, due=datetime.date(2026, 6, 3)):
    services.decision_notify(decision=decision, by_user=users["legal_officer"])
    return services.correction_issue(
        order=decision.correction,
        by_user=users["legal_head"],
        reasons="执法程序存在瑕疵",
        requirements="一个月内完成整改并报送材料",
        items=["补正调查笔录"],
        due_date=due,
    )


def test_application_numbers_are_consecutive_per_unit_and_year_from_submission(users, other_dept):
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0), tick=False):
        waiting = draft(users["handler"])
        first = submitted(users["handler"])
        second = submitted(users["handler"])
        other_officer = certified_officer(other_dept, roles=["handler"]).user
        other = submitted(other_officer)
        # the draft filed first is numbered when it is submitted, after the others
        third = services.application_submit(application=waiting, by_user=users["handler"])
    with time_machine.travel(datetime.datetime(2027, 1, 5, 9, 0), tick=False):
        next_year = submitted(users["handler"])
    assert [first.number, second.number, third.number, next_year.number] == [
        "市场监管局容申〔2026〕1号",
        "市场监管局容申〔2026〕2号",
        "市场监管局容申〔2026〕3号",
        "市场监管局容申〔2027〕1号",
    ]
    assert other.number == "龙泉镇容申〔2026〕1号"
    first.refresh_from_db()
    assert first.document_number == "市场监管局容申〔2026〕1号"  # stored
    assert (
        DocumentSequence.objects.get(
            department=users["handler"].officer.department, year=2026, kind="tolerance_application"
        ).last_number
        == 3
    )


def test_a_draft_has_no_number_and_pages_say_so(client, users):
    application = draft(users["handler"])
    application.refresh_from_db()
    assert application.document_number == "" and application.number == "草稿（未编号）"
    assert f"〔{application.created_at.year}〕{application.pk}号" not in str(application)
    client.force_login(users["handler"])
    page = client.get(reverse("tolerance:application", args=[application.pk])).content.decode()
    assert "草稿（未编号）" in page
    assert f"容申〔{application.created_at.year}〕{application.pk}号" not in page
    assert not DocumentSequence.objects.filter(kind="tolerance_application").exists()


@time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0), tick=False)
def test_pages_and_notifications_show_the_stored_application_number(client, users):
    draft(users["handler"])  # an unnumbered row first: id and serial differ
    decision = decide(users, investigating(users))
    application = Application.objects.get(pk=decision.application_id)
    number = application.document_number
    assert number == "市场监管局容申〔2026〕1号" and application.pk != 1
    deadline = Deadline.objects.get(rule_id="TOL-14c", object_id=decision.pk)
    assert number in deadline.title
    services.decision_notify(decision=decision, by_user=users["legal_officer"])
    titles = list(Notification.objects.filter(rule_id="TOL-14c").values_list("title", flat=True))
    assert titles and all(number in t for t in titles)
    client.force_login(users["legal_officer"])
    for url in (
        reverse("tolerance:application", args=[application.pk]),
        reverse("tolerance:index"),
        reverse("tolerance:correction", args=[decision.correction.pk]),
    ):
        html = client.get(url).content.decode()
        assert number in html and f"〔2026〕{application.pk}号" not in html, url


@time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0), tick=False)
def test_decision_pdf_prints_the_stored_application_number_not_the_id(users):
    # a few unnumbered rows first, so that the database id and the serial differ
    for _ in range(3):
        draft(users["handler"])
    decision = decide(users, investigating(users))
    application = decision.application
    assert application.pk != 1
    text = pdf_text(decision_pdf(decision))
    assert "申请编号市场监管局容申〔2026〕1号" in text
    assert f"〔2026〕{application.pk}号" not in text


@time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0), tick=False)
def test_decision_pdf_download_is_named_by_the_document_number(client, users):
    decision = decide(users, investigating(users))
    client.force_login(users["handler"])
    response = client.get(reverse("tolerance:decision_pdf", args=[decision.application_id]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition == "inline; filename*=utf-8''" + quote("市场监管局容认〔2026〕1号.pdf")
    assert f"decision-{decision.pk}" not in disposition


@time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0), tick=False)
def test_correction_orders_are_numbered_when_issued(client, users):
    decision = decide(users, investigating(users))
    order = decision.correction
    assert order.document_number == "" and order.number == "草稿（未编号）"
    issued = issue(users, decision)
    assert issued.number == "市场监管局纠错〔2026〕1号"
    second = issue(users, decide(users, investigating(users)))
    assert second.number == "市场监管局纠错〔2026〕2号"
    assert str(second) == second.number  # the audit trail's object_repr, no 纠错〔<id>〕
    notice = Notification.objects.get(rule_id="TOL-17", url=reverse("tolerance:correction", args=[issued.pk]))
    assert issued.number in notice.title
    client.force_login(users["handler"])
    page = client.get(reverse("tolerance:correction", args=[issued.pk])).content.decode()
    assert issued.number in page and f"纠错〔{issued.pk}〕" not in page


def test_migration_numbers_existing_applications_and_orders_and_the_sequence_carries_on(users):
    """tolerance/0004 on applications and orders made before the sequence (run on today's
    models): submitted ones numbered per unit and year in order of submission, drafts not."""
    migration = importlib.import_module("tolerance.migrations.0004_application_correction_document_number")
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0), tick=False):
        later = submitted(users["handler"])
        order = issue(users, decide(users, investigating(users)))
        still_draft = draft(users["handler"])
    with time_machine.travel(datetime.datetime(2026, 5, 1, 9, 0), tick=False):
        earlier = submitted(users["handler"])
    with time_machine.travel(datetime.datetime(2025, 12, 30, 9, 0), tick=False):
        last_year = submitted(users["handler"], act_date=datetime.date(2025, 12, 1))
    Application.objects.update(document_number="")
    CorrectionOrder.objects.update(document_number="")
    DocumentSequence.objects.filter(kind__in=["tolerance_application", "tolerance_correction"]).delete()

    migration.number_existing(apps, None)

    for row in (later, earlier, last_year, still_draft, order):
        row.refresh_from_db()
    investigated = order.decision.application
    assert (last_year.number, earlier.number, later.number, investigated.number) == (
        "市场监管局容申〔2025〕1号",
        "市场监管局容申〔2026〕1号",
        "市场监管局容申〔2026〕2号",
        "市场监管局容申〔2026〕3号",
    )
    assert still_draft.document_number == ""
    assert order.number == "市场监管局纠错〔2026〕1号"
    with time_machine.travel(datetime.datetime(2026, 5, 5, 9, 0), tick=False):
        assert submitted(users["handler"]).number == "市场监管局容申〔2026〕4号"
        assert issue(users, decide(users, investigating(users))).number == "市场监管局纠错〔2026〕2号"
