"""Training (STA-5.1): sessions, attendance import (all-or-nothing, row numbers), the officer
page's hours per year; certificate expiry warnings (STA-5.2)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from stats import services, training
from stats.models import TrainingAttendance, TrainingSession
from tests.factories import CertificateFactory, certified_officer
from xian_enforcement.errors import DomainError
from xian_enforcement.notices.models import Deadline, Notification
from xian_enforcement.notices.services import deadline_scan
from xian_enforcement.org.choices import CertificateStatus

from .factories import TrainingSessionFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def sheet(rows, header=("姓名", "执法证号", "单位")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _form(**extra):
    data = {"title": "行政执法证据规则培训", "content": "证据收集与固定", "held_on": "2026-04-10", "hours": "3.5"}
    data.update(extra)
    return data


def test_sta_5_1_legal_officer_records_session_with_attendance_sheet(client, users, dept, other_dept):
    a = certified_officer(other_dept, name="张三")
    b = users["handler"].officer
    number = b.certificates.get().number
    client.force_login(users["legal_officer"])
    upload = SimpleUploadedFile("签到表.xlsx", sheet([("张三", "", ""), (b.name, number, "")]))
    response = client.post(reverse("statistics:training_create"), _form(organiser=dept.pk, sheet=upload))
    session = TrainingSession.objects.get()
    assert response["Location"] == reverse("statistics:training_detail", args=[session.pk])
    assert set(session.attendees.all()) == {a, b}
    assert session.created_by == users["legal_officer"]


def test_sta_5_1_bad_sheet_saves_nothing_and_names_rows(client, users, dept):
    client.force_login(users["legal_officer"])
    upload = SimpleUploadedFile("s.xlsx", sheet([(users["handler"].officer.name, "", ""), ("查无此人", "", "")]))
    response = client.post(reverse("statistics:training_create"), _form(organiser=dept.pk, sheet=upload))
    assert response.status_code == 200
    html = response.content.decode()
    assert "第 3 行" in html and "查无此人" in html
    assert not TrainingSession.objects.exists() and not TrainingAttendance.objects.exists()


def test_sta_5_1_not_an_excel_file_is_refused(users, dept):
    with pytest.raises(DomainError) as exc:
        training.training_create(
            by=users["legal_officer"],
            organiser=dept,
            title="t",
            content="c",
            held_on=D(2026, 4, 1),
            hours=Decimal("2"),
            sheet=b"not a workbook",
        )
    assert ".xlsx" in exc.value.message


def test_sta_5_1_duplicate_and_wrong_number_rows(users, dept):
    officer = users["handler"].officer
    number = officer.certificates.get().number
    with pytest.raises(DomainError) as exc:
        training.training_create(
            by=users["legal_officer"],
            organiser=dept,
            title="t",
            content="c",
            held_on=D(2026, 4, 1),
            hours=Decimal("2"),
            sheet=sheet([(officer.name, number, ""), (officer.name, number, ""), ("李四", number, "")]),
        )
    assert "第 3 行" in exc.value.message and "第 4 行" in exc.value.message


def test_sta_5_1_only_organisers_clerks_or_bureau_record(client, users, dept, other_dept):
    with pytest.raises(DomainError) as exc:
        training.training_create(
            by=users["legal_officer"],
            organiser=other_dept,
            title="t",
            content="c",
            held_on=D(2026, 4, 1),
            hours=Decimal("2"),
            attendees=[users["handler"].officer],
        )
    assert exc.value.rule_id == "STA-5.1"
    session = training.training_create(
        by=users["bureau_staff"],
        organiser=other_dept,
        title="t",
        content="c",
        held_on=D(2026, 4, 1),
        hours=Decimal("2"),
        attendees=[users["handler"].officer],
    )
    assert session.pk
    client.force_login(users["unit_head"])
    assert client.get(reverse("statistics:training_create")).status_code == 403


def test_sta_5_1_views_allowed_outside_anonymous(client, users, dept, other_dept):
    mine = TrainingSessionFactory(organiser=dept, people=[users["handler"].officer])
    theirs = TrainingSessionFactory(organiser=other_dept)
    client.force_login(users["unit_head"])
    assert mine.title in client.get(reverse("statistics:training")).content.decode()
    assert client.get(reverse("statistics:training_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("statistics:training_detail", args=[theirs.pk])).status_code == 404
    client.force_login(users["handler"])
    assert client.get(reverse("statistics:training")).status_code == 403
    client.logout()
    assert client.get(reverse("statistics:training_detail", args=[mine.pk])).status_code == 302


def test_sta_5_1_officer_page_shows_hours_per_year(client, users, dept):
    officer = users["handler"].officer
    TrainingSessionFactory(organiser=dept, held_on=D(2025, 5, 1), hours=Decimal("2"), people=[officer])
    TrainingSessionFactory(organiser=dept, held_on=D(2026, 3, 1), hours=Decimal("4"), people=[officer])
    TrainingSessionFactory(organiser=dept, held_on=D(2026, 6, 1), hours=Decimal("1.5"), people=[officer])
    rows = training.officer_hours_by_year(officer.pk)
    assert [(r["year"], r["sessions"], r["hours"]) for r in rows] == [
        (2026, 2, Decimal("5.5")),
        (2025, 1, Decimal("2")),
    ]
    client.force_login(users["legal_officer"])
    html = client.get(reverse("org:officer_detail", args=[officer.pk])).content.decode()
    assert "培训学时" in html and "5.5" in html


def test_sta_5_1_training_list_queries_constant(client, users, dept):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    TrainingSessionFactory(organiser=dept, people=[users["handler"].officer])
    client.force_login(users["bureau_staff"])
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("statistics:training"))
    for _ in range(5):
        TrainingSessionFactory(organiser=dept, people=[users["handler"].officer, users["legal_officer"].officer])
    with CaptureQueriesContext(connection) as big:
        client.get(reverse("statistics:training"))
    assert len(small) == len(big)


# --- STA-5.2 certificate expiry -------------------------------------------------------------


def test_sta_5_2_expiry_warns_officer_and_unit_60_days_before(users, dept):
    officer = certified_officer(dept, name="将到期")
    cert = officer.certificates.get()
    cert.valid_to = D(2026, 9, 30)
    cert.save()
    with time_machine.travel(datetime.datetime(2026, 7, 1, 2, tzinfo=datetime.UTC), tick=False):
        assert services.certificate_expiry_open(today=D(2026, 7, 1)) == 0  # 91 days ahead: not yet
    with time_machine.travel(datetime.datetime(2026, 8, 1, 2, tzinfo=datetime.UTC), tick=False):
        assert services.certificate_expiry_open(today=D(2026, 8, 1)) == 1
        assert services.certificate_expiry_open(today=D(2026, 8, 1)) == 0  # idempotent
        deadline = Deadline.objects.get(kind=services.STA52_KIND)
        assert deadline.due_date == D(2026, 9, 30) and deadline.start_date == D(2026, 8, 1)
        assert deadline_scan(today=D(2026, 8, 1)) == 1
    assert Notification.objects.filter(recipient=officer.user, rule_id="STA-5.2").exists()
    assert Notification.objects.filter(recipient=users["legal_head"], rule_id="STA-5.2").exists()


def test_sta_5_2_renewal_meets_and_revocation_cancels_the_warning(users, dept):
    a = certified_officer(dept)
    b = certified_officer(dept)
    for o in (a, b):
        c = o.certificates.get()
        c.valid_to = D(2026, 9, 1)
        c.save()
    services.certificate_expiry_open(today=D(2026, 8, 1))
    CertificateFactory(officer=a, valid_from=D(2026, 9, 1), valid_to=D(2031, 8, 31))
    c = b.certificates.get()
    c.status = CertificateStatus.REVOKED
    c.save()
    services.certificate_expiry_open(today=D(2026, 8, 2))
    statuses = dict(Deadline.objects.filter(kind=services.STA52_KIND).values_list("object_id", "status"))
    assert statuses == {a.certificates.order_by("valid_to").first().pk: "met", c.pk: "cancelled"}
