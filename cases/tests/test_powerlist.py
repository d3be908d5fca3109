"""TOL-6 power lists: who reads and who maintains them, the filtered list, its Excel export, and
the all-or-nothing import (upsert by department and code)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cases import powerlist
from cases.ledger import XLSX_CONTENT_TYPE
from cases.models import PowerItem
from tests.exports import export_content, export_response
from tests.factories import PowerItemFactory, category, certified_officer
from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.org.choices import Role

pytestmark = pytest.mark.django_db

LIST = "/cases/powers/"
EXPORT = "/cases/powers/export/"
IMPORT = "/cases/powers/import/"
HEADERS = [c.header for c in powerlist.POWER_COLUMNS]


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def xlsx(rows: list[dict], headers: list[str] = HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "权力清单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)


def row(n: int, **overrides) -> dict:
    values = {
        "职权编码": f"SC-{n:03d}",
        "职权名称": f"对违法行为{n}的行政处罚",
        "职权类别": "行政处罚",
        "设定依据": "《中华人民共和国食品安全法》",
        "责任岗位": "执法大队",
        "追责情形及方式": "不履行或者不正确履行职责的，依法追究责任",
        "有效": "是",
    }
    values.update(overrides)
    return values


@pytest.fixture
def items(dept, other_dept):
    return {
        "mine": PowerItemFactory(department=dept, code="SC-001", name="对销售过期食品的处罚"),
        "licence": PowerItemFactory(
            department=dept, code="SC-100", name="食品经营许可", category=category("licensing")
        ),
        "theirs": PowerItemFactory(department=other_dept, code="LQ-001", name="对违法建设的处罚"),
    }


def export_rows(response) -> list[tuple]:
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return list(ws.iter_rows(min_row=3, values_only=True))


def test_tol_6_department_users_see_their_own_list(client, users, items):
    client.force_login(users[Role.HANDLER])
    response = client.get(LIST)
    assert response.status_code == 200
    assert {i.code for i in response.context["page"].object_list} == {"SC-001", "SC-100"}
    assert "department" not in response.context["filter"].form.fields
    assert "导入权力清单" not in response.content.decode()  # handlers read only


def test_tol_6_county_roles_read_the_county_and_filter_by_department(client, users, items, dept):
    client.force_login(users[Role.BUREAU_STAFF])
    response = client.get(LIST)
    assert {i.code for i in response.context["page"].object_list} == {"SC-001", "SC-100", "LQ-001"}
    filtered = client.get(LIST, {"department": dept.pk, "category": category("licensing").pk})
    assert [i.code for i in filtered.context["page"].object_list] == ["SC-100"]
    assert len(filtered.context["chips"]) == 2
    keyword = client.get(LIST, {"q": "违法建设"})
    assert [i.code for i in keyword.context["page"].object_list] == ["LQ-001"]
    client.force_login(users[Role.LEADER])
    assert client.get(LIST).context["page"].paginator.count == 3


def test_empty_list_says_how_to_fill_it(client, users):
    client.force_login(users[Role.LEGAL_OFFICER])
    response = client.get(LIST)
    assert response.status_code == 200
    assert "下载模板" in response.content.decode()
    assert reverse("cases:power_template") in response.content.decode()


@pytest.mark.parametrize("who", ["nobody", Role.SECADMIN, Role.AUDITADMIN])
def test_users_without_a_unit_or_county_role_cannot_read(client, users, items, who):
    client.force_login(users[who])
    assert client.get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_list_pages_and_query_count_does_not_grow_with_rows(client, users, dept):
    client.force_login(users[Role.BUREAU_STAFF])
    PowerItemFactory.create_batch(3, department=dept)
    with CaptureQueriesContext(connection) as small:
        client.get(LIST)
    PowerItemFactory.create_batch(60, department=dept)
    with CaptureQueriesContext(connection) as large:
        response = client.get(LIST)
    assert len(large) == len(small)
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.num_pages == 2


def test_export_is_exactly_the_filtered_list(client, users, items, dept):
    client.force_login(users[Role.BUREAU_STAFF])
    # The county's list is exported in the background: the helper follows the job.
    response = export_response(client, EXPORT, {"department": dept.pk, "q": "过期食品"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    ws = load_workbook(io.BytesIO(response.content_bytes)).worksheets[0]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1]) for r in rows] == [(dept.name, "SC-001")]
    assert [c.value for c in ws[2]] == [powerlist.DEPARTMENT_HEADER, *HEADERS]
    assert ws.freeze_panes == "A3"
    assert AuditEvent.objects.filter(event_type="export", user=users[Role.BUREAU_STAFF]).exists()


def test_export_of_a_department_user_is_limited_to_their_department(client, users, items):
    client.force_login(users[Role.LEGAL_OFFICER])
    rows = export_rows(client.get(EXPORT))
    assert sorted(r[0] for r in rows) == ["SC-001", "SC-100"]


def test_tol_6_legal_officer_imports_the_departments_list(client, users, dept):
    client.force_login(users[Role.LEGAL_OFFICER])
    response = client.post(IMPORT, {"file": upload(xlsx([row(1), row(2, 职权类别="行政许可", 有效="否")]))})
    assert response.status_code == 200
    assert response.context["result"].created == 2
    assert PowerItem.objects.count() == 0  # preview saves nothing
    done = client.post(IMPORT, {"confirm": "1", "token": response.context["token"]})
    assert done.status_code == 302
    first, second = PowerItem.objects.filter(department=dept).order_by("code")
    assert (first.code, first.name, first.category.name, first.is_active) == (
        "SC-001",
        "对违法行为1的行政处罚",
        "行政处罚",
        True,
    )
    assert first.responsible_post == "执法大队"
    assert first.legal_basis == "《中华人民共和国食品安全法》"
    assert (second.category.name, second.is_active) == ("行政许可", False)
    assert AuditEvent.objects.get(event_type="import").detail["kind"] == "power_list"


def test_tol_6_reimport_upserts_by_code(client, users, dept):
    client.force_login(users[Role.LEGAL_OFFICER])
    content = xlsx([row(1), row(2)])
    first = client.post(IMPORT, {"file": upload(content)})
    client.post(IMPORT, {"confirm": "1", "token": first.context["token"]})
    again = client.post(IMPORT, {"file": upload(content)})
    assert (again.context["result"].created, again.context["result"].unchanged) == (0, 2)
    changed = client.post(IMPORT, {"file": upload(xlsx([row(1), row(2, 责任岗位="法制股"), row(3)]))})
    result = changed.context["result"]
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    client.post(IMPORT, {"confirm": "1", "token": changed.context["token"]})
    assert PowerItem.objects.filter(department=dept).count() == 3
    assert PowerItem.objects.get(code="SC-002").responsible_post == "法制股"


def test_export_then_import_round_trip_changes_nothing(client, users, items):
    client.force_login(users[Role.LEGAL_OFFICER])
    exported = client.get(EXPORT).content
    response = client.post(IMPORT, {"file": upload(exported)})
    result = response.context["result"]
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)


def test_three_bad_rows_are_reported_and_nothing_is_saved(client, users):
    client.force_login(users[Role.LEGAL_OFFICER])
    rows = [row(1), row(2, 职权名称=None), row(3, 职权类别="行政罚款"), row(1, 职权名称="重复")]
    response = client.post(IMPORT, {"file": upload(xlsx(rows))})
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(3, "职权名称"), (4, "职权类别"), (5, "职权编码")]
    assert response.context["token"] is None
    assert PowerItem.objects.count() == 0


def test_overlong_value_is_refused_with_row_and_column(client, users):
    client.force_login(users[Role.LEGAL_OFFICER])
    response = client.post(IMPORT, {"file": upload(xlsx([row(1, 责任岗位="岗" * 101)]))})
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(2, "责任岗位")]


def test_non_xlsx_file_is_a_clear_400(client, users):
    client.force_login(users[Role.LEGAL_OFFICER])
    response = client.post(IMPORT, {"file": upload(b"just text", "list.xlsx")})
    assert response.status_code == 400
    assert "只接受 Excel" in response.content.decode()


@pytest.mark.parametrize("role", [Role.HANDLER, Role.LEADER, Role.BUREAU_STAFF, Role.UNIT_HEAD, Role.PARTY_MEMBER])
def test_tol_6_readers_cannot_import(client, users, role):
    client.force_login(users[role])
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"file": upload(xlsx([row(1)]))}).status_code == 403
    assert client.get(reverse("cases:power_template")).status_code == 403
    assert PowerItem.objects.count() == 0


def test_tol_6_sysadmin_maintains_any_department_of_the_county(client, users, other_dept, items):
    client.force_login(users[Role.SYSADMIN])
    listing = client.get(LIST)
    assert listing.context["page"].paginator.count == 3
    page = client.get(IMPORT)
    assert other_dept in page.context["form"].fields["department"].queryset
    response = client.post(IMPORT, {"file": upload(xlsx([row(7)])), "department": other_dept.pk})
    assert response.context["result"].created == 1
    client.post(IMPORT, {"confirm": "1", "token": response.context["token"]})
    assert PowerItem.objects.get(code="SC-007").department == other_dept


def test_county_export_rows_of_other_departments_are_refused(client, users, items, dept):
    """A county-wide export carries a 部门 column; importing it into one department refuses the
    other departments' rows instead of copying them (TOL-6)."""
    client.force_login(users[Role.SYSADMIN])
    exported = export_content(client, EXPORT)  # the county's list: a background job
    response = client.post(IMPORT, {"file": upload(exported), "department": dept.pk})
    errors = response.context["result"].errors
    assert [e.column for e in errors] == [powerlist.DEPARTMENT_HEADER]
    assert "龙泉镇" in errors[0].message


def test_other_departments_legal_officer_imports_into_their_own(client, dept, other_dept):
    other_legal = certified_officer(other_dept, roles=[Role.LEGAL_OFFICER]).user
    client.force_login(other_legal)
    response = client.post(IMPORT, {"file": upload(xlsx([row(1)])), "department": dept.pk})
    client.post(IMPORT, {"confirm": "1", "token": response.context["token"]})
    assert PowerItem.objects.get().department == other_dept
    assert not PowerItem.objects.filter(department=dept).exists()
