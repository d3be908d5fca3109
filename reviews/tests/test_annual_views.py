"""Pages of REV-8 / REV-17 (annual assessment, Excel export) and REV-9 (summaries):
allowed / refused / outside / anonymous, constant query counts."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from reviews import half_year_summaries
from reviews.models import HandlerAssessment
from tests.exports import export_content
from tests.factories import certified_officer
from xian_enforcement.org.choices import CertificateStatus

from .factories import locked_review, reviewable_file
from .test_assessment import handler_with

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_rev_8_assessment_page_states_the_rule_and_suspends_from_the_page(client, users, dept):
    officer, _files = handler_with(dept, users["legal_officer"], cases=4, bad=3)
    c = login(client, users["bureau_staff"])
    html = c.get(reverse("reviews:assessment") + "?year=2026").content.decode()
    assert officer.name in html and "第八条" in html and "暂停执法资格" in html and "未规定" in html
    response = c.post(reverse("reviews:assess", args=[officer.pk]) + "?year=2026", follow=True)
    assert "暂停执法资格" in response.content.decode()
    assert officer.certificates.get().status == CertificateStatus.SUSPENDED
    result = HandlerAssessment.objects.get(officer=officer)
    c.post(reverse("reviews:reinstate", args=[result.pk]))
    assert officer.certificates.get().status == CertificateStatus.ACTIVE


def test_rev_17_unit_below_full_rate_is_flagged(client, users, dept):
    locked_review(reviewable_file(dept), users)
    reviewable_file(dept)
    response = login(client, users["legal_head"]).get(reverse("reviews:assessment") + "?year=2026")
    (unit,) = response.context["units"]
    assert unit.rate == 50.0 and unit.flagged and "REV-6" in unit.flag_reasons[0]


def test_rev_17_overdue_summary_flags_the_unit(users, dept):
    from reviews.annual import unit_rows

    with time_machine.travel(datetime.datetime(2026, 8, 1, 10, tzinfo=datetime.UTC), tick=False):
        (row,) = unit_rows(dept.region_id, 2026, dept.pk)
    assert row.flagged and any("REV-9" in r for r in row.flag_reasons)


def test_rev_8_export_is_an_excel_workbook(client, users, dept):
    officer, _files = handler_with(dept, users["legal_officer"], cases=2, bad=1)
    # County-wide: a background job; the helper follows it to the download.
    content = export_content(login(client, users["bureau_staff"]), reverse("reviews:assessment_export") + "?year=2026")
    wb = load_workbook(BytesIO(content))
    values = [c.value for row in wb.worksheets[0].iter_rows() for c in row]
    assert officer.name in values and "通报批评" in values
    assert dept.short_name in [c.value for row in wb.worksheets[1].iter_rows() for c in row]


@pytest.mark.parametrize("role", ["handler", "sysadmin", "nobody"])
def test_rev_8_assessment_refused_403(client, users, role):
    assert login(client, users[role]).get(reverse("reviews:assessment")).status_code == 403


def test_rev_8_legal_head_cannot_assess_another_departments_officer_404(client, users, other_dept):
    foreign = certified_officer(other_dept)
    assert login(client, users["legal_head"]).post(reverse("reviews:assess", args=[foreign.pk])).status_code == 404


def test_rev_8_leader_reads_but_cannot_assess_403(client, users, dept):
    officer, _files = handler_with(dept, users["legal_officer"], cases=1, bad=0)
    c = login(client, users["leader"])
    assert c.get(reverse("reviews:assessment")).status_code == 200
    assert c.post(reverse("reviews:assess", args=[officer.pk])).status_code == 403


def test_annual_pages_send_anonymous_to_login(client):
    for name in ("reviews:assessment", "reviews:assessment_export", "reviews:summaries"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_rev_8_assessment_page_query_count_is_constant(client, users, dept, other_dept):
    handler_with(dept, users["legal_officer"], cases=2, bad=1)
    login(client, users["bureau_staff"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reviews:assessment") + "?year=2026").status_code == 200
        return len(ctx)

    small = count()
    for _ in range(3):
        handler_with(other_dept, users["legal_officer"], cases=3, bad=2)
    assert count() == small


def test_rev_9_legal_office_submits_and_bureau_receives_from_the_page(client, users, dept):
    with time_machine.travel(datetime.datetime(2026, 7, 3, 10, tzinfo=datetime.UTC), tick=False):
        c = login(client, users["legal_officer"])
        page = c.get(reverse("reviews:summaries")).content.decode()
        assert "2026年7月15日" in page or "2026-07-15" in page or "7月15日" in page
        response = c.post(reverse("reviews:summaries"), {"text": "上半年自查总结"}, follow=True)
        assert "已报送" in response.content.decode()
        summary = dept.review_summaries.get()
        c = login(client, users["bureau_staff"])
        assert "上半年自查总结" in c.get(reverse("reviews:summaries")).content.decode()
        c.post(reverse("reviews:summary_receive", args=[summary.pk]))
        summary.refresh_from_db()
        assert summary.received_at is not None


def test_rev_9_empty_summary_refused_saves_nothing(client, users, dept):
    with time_machine.travel(datetime.datetime(2026, 7, 3, 10, tzinfo=datetime.UTC), tick=False):
        response = login(client, users["legal_officer"]).post(reverse("reviews:summaries"), {"text": " "}, follow=True)
    assert "请填写总结内容" in response.content.decode()
    assert not dept.review_summaries.exists()


def test_rev_9_receive_refused_for_department_roles_and_hidden_outside(client, users, dept, other_dept):
    with time_machine.travel(datetime.datetime(2026, 7, 3, 10, tzinfo=datetime.UTC), tick=False):
        summary = half_year_summaries.summary_submit(by=users["legal_officer"], year=2026, half=1, text="x")
    assert (
        login(client, users["legal_head"]).post(reverse("reviews:summary_receive", args=[summary.pk])).status_code
        == 403
    )
    foreign_head = certified_officer(other_dept, roles=["legal_head"]).user
    assert login(client, foreign_head).post(reverse("reviews:summary_receive", args=[summary.pk])).status_code == 404


def test_rev_9_summary_page_query_count_is_constant(client, users, dept, other_dept, region):
    from tests.factories import DepartmentFactory

    login(client, users["bureau_staff"])
    with time_machine.travel(datetime.datetime(2026, 7, 3, 10, tzinfo=datetime.UTC), tick=False):
        half_year_summaries.summary_submit(by=users["legal_officer"], year=2026, half=1, text="x")

        def count():
            with CaptureQueriesContext(connection) as ctx:
                client.get(reverse("reviews:summaries"))
            return len(ctx)

        small = count()
        for _ in range(4):
            DepartmentFactory(region=region)
        assert count() == small


def test_rev_4_results_roll_up_into_a_per_department_annual_score(users, dept):
    from decimal import Decimal

    from reviews import services
    from reviews.annual import unit_rows

    from .factories import scored_items, submitted_review

    locked_review(reviewable_file(dept), users)  # 100
    case = reviewable_file(dept)
    item = scored_items(services.current_template(case.category_id))[3]
    review = submitted_review(case, users["legal_officer"], findings={item.pk: (False, Decimal(15), "证据不足")})
    services.self_review_sign(review=review, by=users["legal_head"], role="legal_head")
    services.self_review_sign(review=review, by=users["unit_head"], role="unit_head")
    (row,) = unit_rows(dept.region_id, 2026, dept.pk)
    assert row.avg_score == Decimal("92.5") and row.grade == "excellent" and row.rate == 100.0
