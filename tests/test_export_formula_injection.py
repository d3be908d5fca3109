"""Issue 13, formula injection: every export writes user text as text. Each test puts
"=1+1", "+SUM(A1)", "-2", "@x", "\\tx" and "\\rx" into user text fields, exports, reads the
workbook back with openpyxl and finds each text as a string cell (data_type 's'), never a
formula ('f'); numbers stay numbers. (Statistics: stats/tests/test_export_formula_injection.py.)"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reviews.tests.test_assessment import handler_with
from tests.exports import export_content
from tests.factories import CaseFileFactory, PowerItemFactory
from tests.spreadsheet_checks import PAYLOADS, STRIPPED, assert_text_cells
from tolerance import services as tolerance_services
from xian_enforcement.audit.services import audit_event_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_case_list_export_writes_user_text_as_text(client, users, dept):
    for n, text in enumerate(PAYLOADS):
        CaseFileFactory(department=dept, year=2026, title=text, party_name=text, fine_amount=Decimal(100 + n))
    client.force_login(users["legal_officer"])
    response = client.get(reverse("cases:export") + "?year=2026")
    assert response.status_code == 200
    cells = assert_text_cells(response.content, PAYLOADS.values())
    fines = [c for c in cells if c.column == 12 and c.row > 2]
    assert fines and all(c.data_type == "n" for c in fines)


def test_case_list_background_export_writes_user_text_as_text(users, dept):
    from cases.exports import case_list_job_write
    from xian_enforcement.jobs.models import ExportJob

    for text in PAYLOADS:
        CaseFileFactory(department=dept, year=2026, title=text)
    job = ExportJob.objects.create(owner=users["legal_officer"], kind="cases", title="=cmd|' /C calc'!A0")
    out = io.BytesIO()
    case_list_job_write(job, out, lambda n: None)
    assert_text_cells(out.getvalue(), PAYLOADS.values())


def test_power_list_export_writes_user_text_as_text(client, users, dept):
    for n, text in enumerate(PAYLOADS):
        PowerItemFactory(department=dept, code=f"X-{n}", name=text, legal_basis=text, responsible_post=text)
    client.force_login(users["legal_officer"])
    response = client.get(reverse("cases:power_export"))
    assert response.status_code == 200
    assert_text_cells(response.content, PAYLOADS.values())


def test_power_list_background_export_writes_user_text_as_text(client, users, dept):
    for n, text in enumerate(PAYLOADS):
        PowerItemFactory(department=dept, code=f"X-{n}", name=text, legal_basis=text, responsible_post=text)
    client.force_login(users["bureau_staff"])
    assert_text_cells(export_content(client, reverse("cases:power_export")), PAYLOADS.values())


def test_complaint_export_writes_user_text_as_text(client, users):
    for text in PAYLOADS:
        tolerance_services.complaint_register(
            by_user=users["bureau_staff"],
            accused=users["handler"].officer,
            data={
                "received_on": datetime.date(2026, 4, 2),
                "channel": text,
                "summary": text,
                "anonymous": False,
                "reporter_name": text,
                "reporter_contact": "13912345678",
            },
        )
    client.force_login(users["bureau_staff"])
    # County-wide: a background job (issue 13); the helper follows it to the download.
    assert_text_cells(export_content(client, reverse("tolerance:complaint_export")), STRIPPED.values())


def test_audit_export_writes_user_text_as_text(client, users):
    for text in PAYLOADS:
        audit_event_record(event_type="login_failed", username=text, outcome="failure", obj=text)
    client.force_login(users["auditadmin"])
    cells = assert_text_cells(export_content(client, reverse("audit:export")), STRIPPED.values())
    ids = [c for c in cells if c.column == 1 and c.row > 1]
    assert ids and all(c.data_type == "n" for c in ids)


def test_assessment_export_writes_user_text_as_text(client, users, dept):
    dept.short_name = "=1+1"
    dept.save()
    for text in PAYLOADS:
        officer, _files = handler_with(dept, users["legal_officer"], cases=1, bad=0)
        officer.name = text
        officer.save()
    client.force_login(users["bureau_staff"])
    content = export_content(client, reverse("reviews:assessment_export") + "?year=2026")  # a job (issue 13)
    assert_text_cells(content, PAYLOADS.values())


def test_ledger_template_writes_officer_and_power_names_as_text(client, users, dept):
    PowerItemFactory(department=dept, code="P-1", name="=1+1")
    officer = users["handler"].officer
    officer.name = "@x"
    officer.save()
    client.force_login(users["legal_officer"])
    response = client.get(reverse("cases:ledger_template"))
    assert_text_cells(response.content, ["=1+1", "@x"])
    assert load_workbook(io.BytesIO(response.content)).worksheets[0]["A2"].data_type == "s"
