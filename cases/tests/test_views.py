"""Case pages: create, edit, transfer, attachments, list filters, sorting, export, query counts."""

from __future__ import annotations

import datetime
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import CaseAttachment, CaseFile
from tests.factories import CaseFileFactory, category, certified_officer
from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.notices.models import Deadline

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64


def _form(handler, co, **overrides):
    data = {
        "number": "隰市监罚〔2026〕7号",
        "category": category("punishment").pk,
        "title": "销售过期食品案",
        "party_kind": "organisation",
        "party_name": "某某超市",
        "main_handler": handler.pk,
        "co_handlers": [co.pk],
        "filed_on": "2026-03-01",
        "investigated_on": "2026-03-10",
        "decided_on": "2026-03-20",
        "fine_amount": "5000.00",
        "confiscation_amount": "0",
        "reconsideration": "none",
        "litigation": "none",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_legal_officer_creates_case_file(client, users, dept):
    handler = users["handler"].officer
    co = certified_officer(dept)
    client.force_login(users["legal_officer"])
    response = client.post(reverse("cases:create"), _form(handler, co))
    case = CaseFile.objects.get(number="隰市监罚〔2026〕7号")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.department == dept
    assert case.year == 2026
    assert case.status == "decided"
    assert list(case.co_handlers.all()) == [co]


@pytest.mark.django_db
def test_rev_13_form_shows_rule_when_only_one_officer(client, users, dept):
    handler = users["handler"].officer
    client.force_login(users["legal_officer"])
    response = client.post(reverse("cases:create"), _form(handler, handler, co_handlers=[]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "至少两名执法人员" in html
    assert "REV-13" in html
    assert not CaseFile.objects.exists()


@pytest.mark.django_db
def test_stage_order_error_shown_next_to_field(client, users, dept):
    handler = users["handler"].officer
    co = certified_officer(dept)
    client.force_login(users["legal_officer"])
    response = client.post(reverse("cases:create"), _form(handler, co, decided_on="2026-03-05"))
    assert response.status_code == 200
    assert "决定日期期不能早于" not in response.content.decode()  # message reads naturally
    assert "决定日期不能早于调查日期" in response.content.decode()
    assert not CaseFile.objects.exists()


@pytest.mark.django_db
def test_negative_amount_refused(client, users, dept):
    handler = users["handler"].officer
    co = certified_officer(dept)
    client.force_login(users["legal_officer"])
    response = client.post(reverse("cases:create"), _form(handler, co, fine_amount="-1"))
    assert response.status_code == 200
    assert not CaseFile.objects.exists()


@pytest.mark.django_db
def test_edit_closes_case_and_opens_rev_5_deadline(client, users, dept):
    handler = users["handler"].officer
    case = CaseFileFactory(department=dept, main_handler=handler, filed_on=datetime.date(2026, 3, 1))
    co = case.co_handlers.first()
    client.force_login(users["legal_officer"])
    data = _form(handler, co, number=case.number, closed_on="2026-04-01", decided_on="2026-03-20")
    response = client.post(reverse("cases:edit", args=[case.pk]), data)
    assert response.status_code == 302
    deadline = Deadline.objects.get(object_id=case.pk, kind="rev5_transfer")
    assert deadline.due_date == datetime.date(2026, 5, 1)
    assert deadline.assignee == users["handler"]


@pytest.mark.django_db
def test_rev_5_handler_transfers_closed_file(client, users, dept):
    handler = users["handler"].officer
    case = CaseFileFactory(department=dept, main_handler=handler, closed_on=datetime.date(2026, 4, 1))
    client.force_login(users["handler"])
    response = client.post(reverse("cases:transfer", args=[case.pk]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.transferred_for_review_on is not None


@pytest.mark.django_db
def test_transfer_requires_post_and_write_access(client, users, dept):
    case = CaseFileFactory(department=dept, closed_on=datetime.date(2026, 4, 1))
    client.force_login(users["unit_head"])
    assert client.get(reverse("cases:transfer", args=[case.pk])).status_code == 405
    assert client.post(reverse("cases:transfer", args=[case.pk])).status_code == 403


@pytest.mark.django_db
def test_renamed_executable_is_refused_and_nothing_stored(client, users, dept):
    case = CaseFileFactory(department=dept)
    client.force_login(users["legal_officer"])
    upload = SimpleUploadedFile("决定书.pdf", ELF, content_type="application/pdf")
    response = client.post(reverse("cases:attachment_upload", args=[case.pk]), {"file": upload})
    assert response.status_code == 400
    assert "不支持的文件类型" in response.content.decode()
    assert not CaseAttachment.objects.exists()


@pytest.mark.django_db
def test_oversized_upload_gets_413(client, users, dept, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    case = CaseFileFactory(department=dept)
    client.force_login(users["legal_officer"])
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 200, content_type="application/pdf")
    response = client.post(reverse("cases:attachment_upload", args=[case.pk]), {"file": upload})
    assert response.status_code == 413
    assert not CaseAttachment.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_attachment_stored_under_server_name_and_deleted_with_row(client, users, dept):
    case = CaseFileFactory(department=dept)
    client.force_login(users["legal_officer"])
    upload = SimpleUploadedFile("../../etc/passwd.pdf", PDF, content_type="application/pdf")
    client.post(reverse("cases:attachment_upload", args=[case.pk]), {"file": upload})
    attachment = CaseAttachment.objects.get()
    assert "passwd" not in attachment.file.name
    assert attachment.original_name == "passwd.pdf" or attachment.original_name.endswith("passwd.pdf")
    assert len(attachment.sha256) == 64
    path = attachment.file.path
    assert os.path.exists(path)
    response = client.post(reverse("cases:attachment_delete", args=[attachment.pk]))
    assert response.status_code == 302
    assert not CaseAttachment.objects.exists()
    assert not os.path.exists(path)


@pytest.mark.django_db
def test_list_filters(client, users, dept, bureau):
    handler = users["handler"].officer
    a = CaseFileFactory(department=dept, main_handler=handler, filed_on=datetime.date(2025, 5, 1), year=2025)
    b = CaseFileFactory(department=dept, category=category("licensing"))
    c = CaseFileFactory(department=dept, closed_on=datetime.date(2026, 3, 20), status="closed")
    client.force_login(users["legal_officer"])

    def numbers(query):
        html = client.get(reverse("cases:list") + query).content.decode()
        return {x.number for x in (a, b, c) if x.number in html}

    assert numbers("") == {a.number, b.number, c.number}
    assert numbers("?year=2025") == {a.number}
    assert numbers(f"?category={category('licensing').pk}") == {b.number}
    assert numbers("?status=closed") == {c.number}
    assert numbers(f"?handler={handler.pk}") == {a.number}
    assert numbers(f"?q={a.title}") == {a.number}


@pytest.mark.django_db
def test_list_overdue_filter_rev_5(client, users, dept):
    from cases.services import _sync_rev5_deadline

    late = CaseFileFactory(department=dept, closed_on=datetime.date(2020, 1, 1))
    fresh = CaseFileFactory(department=dept)
    _sync_rev5_deadline(late)
    client.force_login(users["legal_officer"])
    html = client.get(reverse("cases:list") + "?overdue=true").content.decode()
    assert late.number in html
    assert fresh.number not in html


@pytest.mark.django_db
def test_list_sorting_by_filed_date(client, users, dept):
    old = CaseFileFactory(department=dept, filed_on=datetime.date(2024, 1, 1), year=2024)
    new = CaseFileFactory(department=dept, filed_on=datetime.date(2026, 6, 1))
    client.force_login(users["legal_officer"])
    html = client.get(reverse("cases:list") + "?sort=filed").content.decode()
    assert html.index(old.number) < html.index(new.number)
    html = client.get(reverse("cases:list") + "?sort=-filed").content.decode()
    assert html.index(new.number) < html.index(old.number)


@pytest.mark.django_db
def test_export_is_the_filtered_permission_limited_list(client, users, dept, other_dept):
    mine = CaseFileFactory(department=dept, year=2026)
    CaseFileFactory(department=dept, year=2025, filed_on=datetime.date(2025, 2, 1))
    theirs = CaseFileFactory(department=other_dept)
    client.force_login(users["legal_officer"])
    response = client.get(reverse("cases:export") + "?year=2026")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    numbers = [r[0] for r in rows[2:]]
    assert numbers == [mine.number]
    assert theirs.number not in numbers
    assert rows[1][0] == "案号"
    assert ws.freeze_panes == "A3"
    assert AuditEvent.objects.filter(event_type="export", user=users["legal_officer"]).count() == 1


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_case_list_query_count_is_constant_at_10_and_200_cases(client, users, dept):
    """performance.md target 6 / style.md rule 16: no N+1 on the list."""
    officers = [certified_officer(dept) for _ in range(3)]
    client.force_login(users["legal_officer"])
    for _ in range(10):
        CaseFileFactory(department=dept, main_handler=officers[0], co_handlers=officers[1:])
    client.get(reverse("home"))  # the first request after login refreshes the session expiry
    small = _list_queries(client)
    for _ in range(190):
        CaseFileFactory(department=dept, main_handler=officers[1], co_handlers=[officers[2]])
    large = _list_queries(client)
    assert small == large, (small, large)


@pytest.mark.django_db
def test_detail_shows_timeline(client, users, dept):
    case = CaseFileFactory(
        department=dept,
        filed_on=datetime.date(2026, 3, 1),
        investigated_on=datetime.date(2026, 3, 9),
        decided_on=datetime.date(2026, 3, 20),
    )
    client.force_login(users["legal_officer"])
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="timeline"' in html
    assert "2026年3月9日" in html
    assert "未到此环节" in html


@pytest.mark.django_db
def test_state_changing_views_enforce_csrf(users, dept):
    from django.test import Client

    case = CaseFileFactory(department=dept, closed_on=datetime.date(2026, 4, 1))
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["legal_officer"])
    assert client.post(reverse("cases:transfer", args=[case.pk])).status_code == 403
    case.refresh_from_db()
    assert case.transferred_for_review_on is None


@pytest.mark.django_db
def test_county_wide_list_offers_the_chosen_departments_handlers(client, users, dept, other_dept):
    """performance.md target 1: a county-wide role is not sent the whole county's roster as 承办人
    options; choosing a department lists its officers, and filtering by one of them works."""
    from tests.factories import certified_officer

    mine = certified_officer(dept, name="本部门承办甲")
    theirs = certified_officer(other_dept, name="外部门承办乙")
    case = CaseFileFactory(department=dept, main_handler=mine)
    client.force_login(users["bureau_staff"])
    html = client.get(reverse("cases:list")).content.decode()
    assert "先选择部门" in html and f'<option value="{mine.pk}"' not in html
    html = client.get(reverse("cases:list"), {"department": dept.pk}).content.decode()
    assert f'<option value="{mine.pk}"' in html and f'<option value="{theirs.pk}"' not in html
    html = client.get(reverse("cases:list"), {"department": dept.pk, "handler": mine.pk}).content.decode()
    assert case.number in html


@pytest.mark.django_db
def test_list_rows_link_to_the_case_detail(client, users, dept):
    case = CaseFileFactory(department=dept)
    client.force_login(users["legal_officer"])
    assert f'href="{reverse("cases:detail", args=[case.pk])}"' in client.get(reverse("cases:list")).content.decode()


@pytest.mark.django_db
def test_list_rows_show_every_column_escaped_with_co_handlers_and_rev_12_badge(client, users, dept):
    """Each column of a row, the co-handlers after the main handler, the REV-12 badge, and markup
    escaped."""
    main = certified_officer(dept, name="主办甲")
    co1, co2 = certified_officer(dept, name="协办乙"), certified_officer(dept, name="协办丙")
    case = CaseFileFactory(
        department=dept,
        main_handler=main,
        co_handlers=[co1, co2],
        title="<script>alert(1)</script>案",
        closed_on=datetime.date(2026, 4, 1),
        status="closed",
        fine_amount="1234.50",
    )
    appealed = CaseFileFactory(department=dept, reconsideration="pending", co_handlers=[])
    client.force_login(users["legal_officer"])
    html = client.get(reverse("cases:list")).content.decode()
    row = html[html.index(f'href="{reverse("cases:detail", args=[case.pk])}"') :]
    row = row[: row.index("</tr>")]
    assert "主办甲、协办乙、协办丙" in row
    assert "&lt;script&gt;alert(1)&lt;/script&gt;案" in row and "<script>alert" not in html
    assert dept.short_name in row and category("punishment").name in row
    assert "2026年3月2日" in row and "2026年4月1日" in row and "¥1,234.50" in row
    assert '<span class="badge text-bg-success">已结案</span>' in row
    other = html[html.index(f'href="{reverse("cases:detail", args=[appealed.pk])}"') :]
    other = other[: other.index("</tr>")]
    assert "text-bg-warning" in other and "复议/诉讼" in other and "REV-12" in other
    assert "、" not in other.split("</td>")[4]  # no co-handlers: no separator after the handler


@pytest.mark.django_db
def test_filter_choices_are_read_only_when_the_form_is_rendered(users, dept):
    """The export and the background job share the list's filter set but never render its form:
    building it reads no department or category choices; rendering reads each once."""
    from django.http import QueryDict

    from cases.selectors import case_list_filtered

    user = users["legal_officer"]
    with CaptureQueriesContext(connection) as built:
        filterset, _qs, _sort = case_list_filtered(user, QueryDict(""))
    assert not [q for q in built.captured_queries if "cases_casecategory" in q["sql"] or "org_department" in q["sql"]]
    with CaptureQueriesContext(connection) as rendered:
        html = str(filterset.form["department"]) + str(filterset.form["category"])
    assert len(rendered.captured_queries) == 2
    assert f'<option value="{dept.pk}">{dept.short_name or dept.name}</option>' in html
