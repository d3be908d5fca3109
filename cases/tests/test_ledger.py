"""Ledger (台账) import: template, preview, all-or-nothing confirm, idempotent re-import, the
rules of the case-file services (REV-13, TOL-6, stage order) reported with row numbers, and who
may import."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cases import ledger
from cases.choices import CaseStatus, LitigationState, PartyKind, ReconsiderationState
from cases.models import CaseFile, PenaltyKind
from tests.factories import PowerItemFactory, certified_officer
from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.org.choices import CertificateStatus, Role

pytestmark = pytest.mark.django_db

URL = "/cases/ledger/import/"
HEADERS = [c.header for c in ledger.LEDGER_COLUMNS]


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # The ``users`` fixture hashes a dozen passwords; the production hasher makes that slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def cert(officer) -> str:
    return officer.certificates.first().number


def xlsx(rows: list[dict], headers: list[str] = HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=ledger.XLSX_CONTENT_TYPE)


@pytest.fixture
def team(dept):
    """Two certified officers of ``dept`` and a power item of its list."""
    return {
        "a": certified_officer(dept, name="张执法"),
        "b": certified_officer(dept, name="李执法"),
        "power": PowerItemFactory(department=dept, code="XZCF-0001"),
    }


def good_row(team, n: int = 1, **overrides) -> dict:
    row = {
        "案号": f"隰市监罚〔2026〕{n}号",
        "年度": 2026,
        "类别": "行政处罚",
        "职权编码": "XZCF-0001",
        "案由": f"销售过期食品案{n}",
        "相对人类型": "法人或其他组织",
        "相对人": f"隰县某超市{n}",
        "主办人执法证号": cert(team["a"]),
        "协办人执法证号": cert(team["b"]),
        "立案日期": datetime.datetime(2026, 3, 2),
        "调查终结日期": "2026-03-20",
        "决定日期": "2026-04-01",
        "送达日期": datetime.date(2026, 4, 3),
        "处罚种类": "警告、罚款",
        "罚款金额": 2000,
        "没收金额": "150.50",
        "听证": "是",
        "行政复议": "无",
        "行政诉讼": "无",
    }
    row.update(overrides)
    return row


@pytest.fixture
def legal_client(client, users):
    client.force_login(users[Role.LEGAL_OFFICER])
    return client


def preview(client, content: bytes):
    return client.post(URL, {"file": upload(content)})


def confirm(client, response):
    return client.post(URL, {"confirm": "1", "token": response.context["token"]})


def test_template_has_header_example_row_and_help_sheet(legal_client, team):
    response = legal_client.get(reverse("cases:ledger_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == ledger.XLSX_CONTENT_TYPE
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.freeze_panes == "B2"
    assert str(ws["A2"].value).startswith(ledger.EXAMPLE_PREFIX)
    assert "填写说明" in wb.sheetnames
    explained = [row[0] for row in wb["填写说明"].iter_rows(min_row=2, values_only=True)]
    assert set(HEADERS) <= set(explained)
    # The reference sheet lists the department's certified officers by certificate number.
    numbers = [row[1] for row in wb["本部门人员与职权"].iter_rows(min_row=2, values_only=True)]
    assert cert(team["a"]) in numbers


def test_filled_template_imports_and_skips_example_row(legal_client, team):
    """The downloaded template, with one row added under the example row, imports that row only."""
    wb = load_workbook(io.BytesIO(legal_client.get(reverse("cases:ledger_template")).content))
    ws = wb.worksheets[0]
    row = good_row(team, 7)
    ws.append([row.get(h) for h in HEADERS])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = preview(legal_client, buffer.getvalue())
    assert response.context["result"].errors == []
    assert response.context["result"].created == 1
    confirm(legal_client, response)
    assert list(CaseFile.objects.values_list("number", flat=True)) == ["隰市监罚〔2026〕7号"]


def test_good_file_previews_without_saving_then_confirm_creates_rows(legal_client, dept, team, users):
    content = xlsx([good_row(team, 1), good_row(team, 2, 结案日期="2026-04-10", 听证="否", 行政复议="复议中")])
    response = preview(legal_client, content)
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged, result.errors) == (2, 0, 0, [])
    assert CaseFile.objects.count() == 0  # the preview saves nothing
    assert "confirm-form" in response.content.decode()

    done = confirm(legal_client, response)
    assert done.status_code == 302
    assert CaseFile.objects.filter(department=dept).count() == 2
    case = CaseFile.objects.get(number="隰市监罚〔2026〕1号")
    assert case.year == 2026
    assert case.category.name == "行政处罚"
    assert case.power_item == team["power"]
    assert case.party_kind == PartyKind.ORGANISATION
    assert case.main_handler == team["a"]
    assert list(case.co_handlers.all()) == [team["b"]]
    assert case.filed_on == datetime.date(2026, 3, 2)  # a real Excel date
    assert case.investigated_on == datetime.date(2026, 3, 20)  # text YYYY-MM-DD
    assert case.served_on == datetime.date(2026, 4, 3)
    assert case.status == CaseStatus.SERVED
    assert set(case.penalty_kinds.values_list("name", flat=True)) == {"警告", "罚款"}
    assert case.fine_amount == Decimal("2000.00")
    assert case.confiscation_amount == Decimal("150.50")
    assert case.hearing_held is True
    assert case.created_by == users[Role.LEGAL_OFFICER]
    second = CaseFile.objects.get(number="隰市监罚〔2026〕2号")
    assert second.hearing_held is False
    assert second.reconsideration == ReconsiderationState.PENDING
    assert second.litigation == LitigationState.NONE
    assert second.status == CaseStatus.CLOSED
    event = AuditEvent.objects.get(event_type="import")
    assert event.detail["created"] == 2 and event.user == users[Role.LEGAL_OFFICER]
    # The stored upload is removed once imported, and the token cannot be replayed.
    assert not default_storage.listdir("imports")[1]
    again = legal_client.post(URL, {"confirm": "1", "token": response.context["token"]})
    assert again.status_code == 302 and CaseFile.objects.count() == 2


def test_three_bad_rows_are_all_reported_and_nothing_is_saved(legal_client, team):
    rows = [
        good_row(team, 1),
        good_row(team, 2, 罚款金额=-5),  # sheet row 3: negative amount
        good_row(team, 3, 协办人执法证号=None),  # row 4: one handler only (REV-13, found by the service)
        good_row(team, 4),
        good_row(team, 5, 决定日期="2026-02-01"),  # row 6: decided before filed (stage order)
    ]
    response = preview(legal_client, xlsx(rows))
    assert response.status_code == 200
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(3, "罚款金额"), (4, "协办人执法证号"), (6, "决定日期")]
    assert "不能为负数" in errors[0].message
    assert "REV-13" in errors[1].message
    assert "不能早于" in errors[2].message
    assert response.context["token"] is None
    assert "confirm-form" not in response.content.decode()
    assert "第 6 行" in response.content.decode()
    assert CaseFile.objects.count() == 0


def test_confirmed_import_is_all_or_nothing_when_a_service_refuses_a_row(dept, team, users):
    rows = [good_row(team, 1), good_row(team, 2, 协办人执法证号=None)]
    with pytest.raises(ledger.ImportRejected) as info:
        ledger.ledger_import(department=dept, content=xlsx(rows), user=users[Role.LEGAL_OFFICER])
    assert [(e.row, e.column) for e in info.value.result.errors] == [(3, "协办人执法证号")]
    assert CaseFile.objects.count() == 0
    assert not AuditEvent.objects.filter(event_type="import").exists()


def test_confirm_revalidates_the_stored_file(legal_client, team):
    """REV-13: a certificate suspended between preview and confirm refuses the whole import."""
    response = preview(legal_client, xlsx([good_row(team, 1), good_row(team, 2)]))
    assert response.context["token"]
    team["b"].certificates.update(status=CertificateStatus.SUSPENDED)
    done = confirm(legal_client, response)
    assert done.status_code == 200
    errors = done.context["result"].errors
    assert [e.row for e in errors] == [2, 3]
    assert all("REV-13" in e.message for e in errors)
    assert CaseFile.objects.count() == 0
    assert "全部数据均未保存" in done.content.decode()


def test_confirm_with_unknown_token_saves_nothing(legal_client, team):
    preview(legal_client, xlsx([good_row(team, 1)]))
    response = legal_client.post(URL, {"confirm": "1", "token": "forged"}, follow=True)
    assert CaseFile.objects.count() == 0
    assert "导入预览已失效" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"%PDF-1.4 not a workbook", "ledger.xlsx", "只接受 Excel"),
        (b"PK\x03\x04broken zip", "ledger.xlsx", "只接受 Excel"),
        (b"a,b,c\n1,2,3\n", "ledger.csv", "只接受 Excel"),
    ],
)
def test_non_xlsx_or_corrupt_file_is_a_clear_400(legal_client, content, name, expected):
    response = legal_client.post(URL, {"file": upload(content, name)})
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert CaseFile.objects.count() == 0


def test_zip_that_is_not_a_workbook_is_a_clear_400(legal_client):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    response = legal_client.post(URL, {"file": upload(buffer.getvalue())})
    assert response.status_code == 400
    assert "文件已损坏或不是有效的 Excel 工作簿" in response.content.decode()


def test_empty_upload_and_header_only_file_are_clear_400(legal_client):
    empty = legal_client.post(URL, {"file": upload(b"")})
    assert empty.status_code == 400
    header_only = legal_client.post(URL, {"file": upload(xlsx([]))})
    assert header_only.status_code == 400
    assert "没有数据行" in header_only.content.decode()
    no_header = legal_client.post(URL, {"file": upload(xlsx([{"x": 1}], headers=["甲", "乙"]))})
    assert no_header.status_code == 400
    assert "没有找到表头行" in no_header.content.decode()


def test_row_limit(legal_client, team, settings):
    settings.IMPORT_MAX_ROWS = 2
    response = preview(legal_client, xlsx([good_row(team, n) for n in range(1, 4)]))
    assert response.status_code == 400
    assert "超过 2 行" in response.content.decode()


def test_reimport_same_file_creates_no_duplicates(legal_client, team):
    content = xlsx([good_row(team, 1), good_row(team, 2)])
    confirm(legal_client, preview(legal_client, content))
    assert CaseFile.objects.count() == 2
    stamp = {c.pk: c.updated_at for c in CaseFile.objects.all()}

    response = preview(legal_client, content)
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    confirm(legal_client, response)
    assert CaseFile.objects.count() == 2
    assert {c.pk: c.updated_at for c in CaseFile.objects.all()} == stamp


def test_reimport_with_changed_row_updates_it(legal_client, team):
    confirm(legal_client, preview(legal_client, xlsx([good_row(team, 1), good_row(team, 2)])))
    changed = xlsx([good_row(team, 1), good_row(team, 2, 罚款金额=3500, 结案日期="2026-04-20", 处罚种类="罚款")])
    response = preview(legal_client, changed)
    result = response.context["result"]
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    confirm(legal_client, response)
    assert CaseFile.objects.count() == 2
    case = CaseFile.objects.get(number="隰市监罚〔2026〕2号")
    assert case.fine_amount == Decimal("3500.00")
    assert case.closed_on == datetime.date(2026, 4, 20)
    assert case.status == CaseStatus.CLOSED
    assert list(case.penalty_kinds.all()) == [PenaltyKind.objects.get(name="罚款")]


def test_duplicate_number_within_file_is_an_error(legal_client, team):
    response = preview(legal_client, xlsx([good_row(team, 1), good_row(team, 1)]))
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(3, "案号")]
    assert "第 2 行" in errors[0].message


def test_tol_6_power_code_of_another_department_is_an_error(legal_client, team, other_dept):
    PowerItemFactory(department=other_dept, code="LQ-0009")
    response = preview(legal_client, xlsx([good_row(team, 1), good_row(team, 2, 职权编码="LQ-0009")]))
    errors = response.context["result"].errors
    assert [(e.row, e.column) for e in errors] == [(3, "职权编码")]
    assert "TOL-6" in errors[0].message and "龙泉镇" in errors[0].message
    assert CaseFile.objects.count() == 0


def test_tol_6_unknown_power_code_is_an_error(dept, team):
    result = ledger.ledger_preview(department=dept, content=xlsx([good_row(team, 1, 职权编码="NOPE")]))
    assert [(e.row, e.column) for e in result.errors] == [(2, "职权编码")]
    assert "TOL-6" in result.errors[0].message


def test_unknown_values_name_the_column(dept, team):
    rows = [
        good_row(team, 1, 类别="行政罚款"),
        good_row(team, 2, 相对人类型="公司"),
        good_row(team, 3, 听证="也许"),
        good_row(team, 4, 立案日期="2026-13-45"),
        good_row(team, 5, 主办人执法证号="00000000"),
        good_row(team, 6, 行政诉讼="打官司"),
        good_row(team, 7, 处罚种类="警告、打板子"),
    ]
    result = ledger.ledger_preview(department=dept, content=xlsx(rows))
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "类别"),
        (3, "相对人类型"),
        (4, "听证"),
        (5, "立案日期"),
        (6, "主办人执法证号"),
        (7, "行政诉讼"),
        (8, "处罚种类"),
    ]
    assert "自然人" in result.errors[1].message  # the allowed values are listed


@pytest.mark.parametrize("role", [Role.HANDLER, Role.LEADER, Role.BUREAU_STAFF, Role.UNIT_HEAD, Role.SYSADMIN])
def test_only_the_legal_office_may_import(client, users, team, role):
    client.force_login(users[role])
    assert client.get(URL).status_code == 403
    assert client.get(reverse("cases:ledger_template")).status_code == 403
    response = client.post(URL, {"file": upload(xlsx([good_row(team, 1)]))})
    assert response.status_code == 403
    assert CaseFile.objects.count() == 0


def test_legal_head_may_import(client, users, team):
    client.force_login(users[Role.LEGAL_HEAD])
    assert client.get(URL).status_code == 200
    confirm(client, preview(client, xlsx([good_row(team, 1)])))
    assert CaseFile.objects.count() == 1


def test_other_departments_legal_officer_imports_into_their_own(client, dept, other_dept, team):
    """Officers are identified within the importer's department: the other township's legal
    officer cannot file cases into ``dept`` or use its officers."""
    other_legal = certified_officer(other_dept, roles=[Role.LEGAL_OFFICER]).user
    client.force_login(other_legal)
    response = client.post(URL, {"file": upload(xlsx([good_row(team, 1, 职权编码=None)])), "department": dept.pk})
    errors = response.context["result"].errors
    assert {e.column for e in errors} == {"主办人执法证号", "协办人执法证号"}
    assert "不属于本部门人员" in errors[0].message
    assert CaseFile.objects.count() == 0

    x, y = certified_officer(other_dept), certified_officer(other_dept)
    row = good_row(team, 1, 职权编码=None, 主办人执法证号=cert(x), 协办人执法证号=cert(y))
    confirm(client, client.post(URL, {"file": upload(xlsx([row])), "department": dept.pk}))
    assert CaseFile.objects.get().department == other_dept
    assert not CaseFile.objects.filter(department=dept).exists()


def test_missing_optional_columns_keep_stored_values_on_update(legal_client, team):
    confirm(legal_client, preview(legal_client, xlsx([good_row(team, 1)])))
    short = ["案号", "年度", "类别", "案由", "相对人", "主办人执法证号", "立案日期", "结案日期"]
    row = good_row(team, 1, 结案日期="2026-05-01")
    response = preview(legal_client, xlsx([row], headers=short))
    assert response.context["result"].updated == 1
    confirm(legal_client, response)
    case = CaseFile.objects.get()
    assert case.closed_on == datetime.date(2026, 5, 1)
    assert list(case.co_handlers.all()) == [team["b"]]  # column absent: kept
    assert case.fine_amount == Decimal("2000.00")
    assert case.power_item == team["power"]


def test_year_defaults_to_filing_year_and_dates_accept_serial_numbers(dept, team, users):
    row = good_row(team, 1, 年度=None, 立案日期=46083)  # Excel serial 46083 = 2026-03-02
    result = ledger.ledger_import(department=dept, content=xlsx([row]), user=users[Role.LEGAL_OFFICER])
    assert result.created == 1
    case = CaseFile.objects.get()
    assert (case.year, case.filed_on) == (2026, datetime.date(2026, 3, 2))
