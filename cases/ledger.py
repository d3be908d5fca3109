"""Ledger (台账) import of case files from Excel, and the template workbook.

The import is all-or-nothing (security.md "Input"): every row is parsed and checked, then every
row is run through ``cases.services.case_file_create`` / ``case_file_update`` inside savepoints so
that every rule of the services (stage order, REV-13 handlers, amounts ≥ 0, TOL-6 power item) is
applied and each refusal is reported with its row number and column. The preview does this in a
transaction that is rolled back; the confirmed import does it again and commits only when no row
failed. The key of a row is (department, year, number): re-importing the same file changes
nothing; rows that differ from what is stored are updated.

The column names in the file are a file format, not interface text, so they are fixed Chinese
strings (not translated): a workbook filled in on an English screen imports the same way.
"""

from __future__ import annotations

import contextvars
import copy
import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xian_enforcement.audit.bulk import DETAIL_LIMIT
from xian_enforcement.audit.services import EventType, audit_event_record
from xian_enforcement.data_versions import bump_on_commit
from xian_enforcement.errors import DomainError, error_text
from xian_enforcement.org.models import Certificate, Department, Officer
from xian_enforcement.org.selectors import assignable_officers
from xian_enforcement.spreadsheets.imports import (  # noqa: F401 (re-exported for cases.powerlist)
    CREATE,
    UNCHANGED,
    UPDATE,
    ImportRejected,
    ImportResult,
    RowError,
    RowPlan,
    apply_rows,
    dry_run,
)
from xian_enforcement.spreadsheets.reader import (  # noqa: F401 (re-exported for cases.powerlist)
    CellError,
    Column,
    ImportFileError,
    choice_lookup,
    max_bytes,
    max_rows,
    read_table,
    split_list,
    to_amount,
    to_bool,
    to_choice,
    to_date,
    to_int,
    to_text,
)
from xian_enforcement.spreadsheets.writer import XLSX_CONTENT_TYPE, cell_write, row_append  # noqa: F401

from . import access, services
from .choices import LitigationState, PartyKind, ReconsiderationState
from .models import CaseCategory, CaseFile, PenaltyKind, PowerItem
from .signals import case_files_bulk_written

# Rows whose 案号 starts with this are the template's example and are skipped.
EXAMPLE_PREFIX = "示例"

# Stages of a preview or import, reported to ``progress(stage, done, total)`` (the background job).
READING, CHECKING, VALIDATING, WRITING = "reading", "checking", "validating", "writing"
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 500


# --------------------------------------------------------------------------------------------
# The ledger's columns
# --------------------------------------------------------------------------------------------

STAGE_HELP = "各环节日期不得早于前一环节（立案→调查终结→决定→送达→执行→结案→归档）。"

LEDGER_COLUMNS: list[Column] = [
    Column(
        "案号", "number", "text", True, 24, "本部门同一年度内唯一；与年度一起作为导入的识别键。", "隰市监罚〔2026〕1号"
    ),
    Column("年度", "year", "year", False, 8, "四位数年份；不填则取立案日期所在年度。", 2026),
    Column("类别", "category", "category", True, 10, "案件类别名称。", "行政处罚"),
    Column("职权编码", "power_item", "power", False, 16, "本部门权力清单中的职权编码（TOL-6）。", "XZCF-0001"),
    Column("案由", "title", "text", True, 36, "案件名称或案由。", "某商户销售过期食品案"),
    Column("相对人类型", "party_kind", "party_kind", False, 14, "不填为“自然人”。", "法人或其他组织"),
    Column("相对人", "party_name", "text", True, 20, "当事人姓名或单位名称（个人信息）。", "隰县某某超市"),
    Column("主办人执法证号", "main_handler", "officer", True, 18, "本部门持有效执法证人员的证号（REV-13）。", ""),
    Column(
        "协办人执法证号",
        "co_handlers",
        "officers",
        False,
        22,
        "一个或多个证号，用“、”或“,”分隔；主办人与协办人合计不少于 2 人（REV-13）。",
        "",
    ),
    Column(
        "立案日期",
        "filed_on",
        "date",
        True,
        12,
        "Excel 日期或 YYYY-MM-DD 文本。" + STAGE_HELP,
        datetime.date(2026, 3, 2),
    ),
    Column("调查终结日期", "investigated_on", "date", False, 12, STAGE_HELP, datetime.date(2026, 3, 20)),
    Column("决定日期", "decided_on", "date", False, 12, STAGE_HELP, datetime.date(2026, 4, 1)),
    Column("送达日期", "served_on", "date", False, 12, STAGE_HELP, datetime.date(2026, 4, 3)),
    Column("执行日期", "executed_on", "date", False, 12, STAGE_HELP, None),
    Column("结案日期", "closed_on", "date", False, 12, "结案后 30 日内须移交法制机构自查（REV-5）。", None),
    Column("归档日期", "archived_on", "date", False, 12, STAGE_HELP, None),
    Column(
        "处罚种类",
        "penalty_kinds",
        "penalties",
        False,
        18,
        "一个或多个处罚种类名称，用“、”分隔（STA-5.3）。",
        "警告、罚款",
    ),
    Column("罚款金额", "fine_amount", "amount", False, 14, "单位：元，不小于 0，最多两位小数；不填为 0。", 2000),
    Column("没收金额", "confiscation_amount", "amount", False, 14, "单位：元，不小于 0，最多两位小数；不填为 0。", 0),
    Column("听证", "hearing_held", "bool", False, 8, "是否举行听证：是/否，不填为否。", "否"),
    Column("重大执法决定", "major_decision", "bool", False, 12, "是/否；重大执法决定须经法制审核（TOL-8）。", "否"),
    Column("法制审核人执法证号", "legal_review_by", "reviewer", False, 18, "本部门人员的执法证号（TOL-8）。", ""),
    Column("法制审核日期", "legal_review_on", "date", False, 12, "填写了审核日期须同时填写审核人。", None),
    Column("执法全过程记录", "full_record_kept", "bool", False, 12, "是/否（TOL-8）。", "是"),
    Column("公示日期", "publicised_on", "date", False, 12, "行政执法决定公示日期（TOL-8）。", None),
    Column("公示链接", "publicity_url", "text", False, 24, "公示网页地址，以 http:// 或 https:// 开头。", ""),
    Column("移送公安日期", "transferred_to_police_on", "date", False, 12, "移送公安机关的日期（TOL-9）。", None),
    Column("接收机关", "police_organ", "text", False, 18, "填写了移送日期须填写接收机关（TOL-9）。", ""),
    Column("移送回执", "police_receipt", "text", False, 16, "回执编号。", ""),
    Column("行政复议", "reconsideration", "reconsideration", False, 14, "不填为“无”（REV-12）。", "无"),
    Column("行政诉讼", "litigation", "litigation", False, 14, "不填为“无”（REV-12）。", "无"),
]
COLUMN_BY_KEY = {c.key: c for c in LEDGER_COLUMNS}


def ledger_column_of(field_name: str | None) -> str:
    column = COLUMN_BY_KEY.get(field_name or "")
    return column.header if column else ""


def _allowed_values() -> dict[str, str]:
    with translation.override("zh-hans"):
        return {
            "category": "、".join(CaseCategory.objects.filter(is_active=True).values_list("name", flat=True)),
            "penalties": "、".join(PenaltyKind.objects.filter(is_active=True).values_list("name", flat=True)),
            "party_kind": "、".join(str(label) for _v, label in PartyKind.choices),
            "reconsideration": "、".join(str(label) for _v, label in ReconsiderationState.choices),
            "litigation": "、".join(str(label) for _v, label in LitigationState.choices),
            "bool": "是、否",
        }


# --------------------------------------------------------------------------------------------
# Template workbook
# --------------------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="DDE7F3")


def _list_validation(values: list[str], column_letter: str) -> DataValidation | None:
    formula = ",".join(values)
    if len(formula) > 250:  # Excel's limit for an inline list
        return None
    dv = DataValidation(type="list", formula1=f'"{formula}"', allow_blank=True, showDropDown=False)
    dv.error = _("请从下拉列表中选择。")
    dv.add(f"{column_letter}3:{column_letter}{max_rows() + 2}")
    return dv


def ledger_template_workbook(department: Department | None = None) -> bytes:
    """The template: sheet 1 has the header (required columns in red), an example row (its 案号
    starts with “示例”, so it is skipped on import) and drop-downs; sheet 2 explains every column
    and its allowed values; sheet 3 lists the department's certified officers and power items."""
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    allowed = _allowed_values()
    officers: list[tuple[Officer, str]] = []
    powers: list[PowerItem] = []
    if department is not None:
        certified = assignable_officers(department.pk)
        certs = Certificate.objects.filter(officer__in=certified).select_related("officer").order_by("officer__name")
        today = timezone.localdate()
        officers = [(c.officer, c.number) for c in certs if c.is_valid_on(today)]
        powers = list(PowerItem.objects.filter(department=department, is_active=True).select_related("category"))
    example_certs = [n for _o, n in officers[:2]] or ["14103100000001", "14103100000002"]
    examples = {
        "number": f"{EXAMPLE_PREFIX}：隰市监罚〔2026〕1号",
        "main_handler": example_certs[0],
        "co_handlers": "、".join(example_certs[1:]) or "14103100000002",
        "power_item": powers[0].code if powers else "XZCF-0001",
    }
    for idx, column in enumerate(LEDGER_COLUMNS, start=1):
        cell = ws.cell(row=1, column=idx, value=column.header)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        example = cell_write(ws, 2, idx, examples.get(column.key, column.example))
        example.font = Font(italic=True, color="808080")
        if column.kind == "date":
            example.number_format = "yyyy-mm-dd"
        letter = get_column_letter(idx)
        ws.column_dimensions[letter].width = max(column.width, len(column.header) * 2 + 2)
        if column.kind in ("category", "party_kind", "reconsideration", "litigation", "bool"):
            values = allowed[column.kind].split("、")
            dv = _list_validation(values, letter)
            if dv is not None:
                ws.add_data_validation(dv)
    ws.freeze_panes = "B2"
    ws.row_dimensions[1].height = 30

    help_ws = wb.create_sheet("填写说明")
    help_ws.append(["列名", "是否必填", "说明", "可选值"])
    for cell in help_ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for column in LEDGER_COLUMNS:
        help_ws.append(
            [column.header, "必填" if column.required else "选填", column.help, allowed.get(column.kind, "")]
        )
    help_ws.append([])
    help_ws.append(["说明", "", "第 1 行为表头，请勿修改列名；第 2 行为示例（案号以“示例”开头的行不会导入），可删除。"])
    help_ws.append(["", "", "同一部门、同一年度、同一案号视为同一案卷：再次导入会更新已有案卷，内容未变的行不作改动。"])
    help_ws.append(
        ["", "", "导入为全部成功或全部不保存：任何一行有错误，整份文件都不会保存，并列出每个错误的行号和列名。"]
    )
    help_ws.append(["", "", f"单次最多 {max_rows()} 行。"])
    for letter, width in zip("ABCD", (18, 10, 70, 60), strict=True):
        help_ws.column_dimensions[letter].width = width
    for row in help_ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    help_ws.freeze_panes = "A2"

    ref_ws = wb.create_sheet("本部门人员与职权")
    ref_ws.append(["姓名", "执法证号", "", "职权编码", "职权名称", "职权类别"])
    for cell in ref_ws[1]:
        cell.font = Font(bold=True)
    for i in range(max(len(officers), len(powers))):
        officer_part = [officers[i][0].name, officers[i][1]] if i < len(officers) else ["", ""]
        power_part = [powers[i].code, powers[i].name, powers[i].category.name] if i < len(powers) else ["", "", ""]
        row_append(ref_ws, [*officer_part, "", *power_part])
    for letter, width in zip("ABCDEF", (12, 20, 4, 18, 40, 12), strict=True):
        ref_ws.column_dimensions[letter].width = width
    ref_ws.freeze_panes = "A2"

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Parsing and checking ledger rows
# --------------------------------------------------------------------------------------------


class _Lookups:
    """Reference data of one import, loaded once (a fixed number of queries per file)."""

    def __init__(self, department: Department):
        self.department = department
        with translation.override("zh-hans"):
            self.categories = {c.name: c for c in CaseCategory.objects.filter(is_active=True)}
            self.penalties = {p.name: p for p in PenaltyKind.objects.filter(is_active=True)}
        self.officers = {
            c.number: c.officer
            for c in Certificate.objects.filter(officer__department=department).select_related("officer")
        }
        self.powers = {p.code: p for p in PowerItem.objects.filter(department=department)}
        self.party_kinds = choice_lookup(PartyKind)
        self.reconsideration = choice_lookup(ReconsiderationState)
        self.litigation = choice_lookup(LitigationState)
        self._foreign_power: dict[str, str | None] = {}

    def officer(self, number: str) -> Officer:
        officer = self.officers.get(number)
        if officer is None:
            raise CellError(_("执法证号 %(n)s 不属于本部门人员（人员按本部门执法证号识别）") % {"n": number[:40]})
        return officer

    def foreign_power_owner(self, code: str) -> str | None:
        if code not in self._foreign_power:
            other = (
                PowerItem.objects.filter(code=code, department__region_id=self.department.region_id)
                .exclude(department=self.department)
                .select_related("department")
                .first()
            )
            self._foreign_power[code] = str(other.department) if other else None
        return self._foreign_power[code]


def _convert(column: Column, raw: Any, lk: _Lookups, existing: CaseFile | None) -> Any:
    kind = column.kind
    if kind == "text":
        return to_text(raw)
    if kind == "year":
        return to_int(raw, low=2000, high=2100)
    if kind == "date":
        return to_date(raw)
    if kind == "amount":
        return to_amount(raw)
    if kind == "bool":
        return to_bool(raw)
    if kind == "category":
        name = to_text(raw)
        if name not in lk.categories:
            raise CellError(_("类别“%(v)s”不存在，可选值：%(a)s") % {"v": name[:40], "a": "、".join(lk.categories)})
        return lk.categories[name]
    if kind == "party_kind":
        return to_choice(raw, lk.party_kinds, default=PartyKind.PERSON)
    if kind == "reconsideration":
        return to_choice(raw, lk.reconsideration, default=ReconsiderationState.NONE)
    if kind == "litigation":
        return to_choice(raw, lk.litigation, default=LitigationState.NONE)
    if kind == "officer":
        number = to_text(raw)
        return lk.officer(number) if number else None
    if kind == "reviewer":
        number = to_text(raw)
        return lk.officer(number) if number else None
    if kind == "officers":
        return [lk.officer(n) for n in split_list(raw)]
    if kind == "penalties":
        names = split_list(raw)
        unknown = [n for n in names if n not in lk.penalties]
        if unknown:
            raise CellError(
                _("处罚种类“%(v)s”不存在，可选值：%(a)s") % {"v": "、".join(unknown)[:60], "a": "、".join(lk.penalties)}
            )
        return [lk.penalties[n] for n in names]
    if kind == "power":
        code = to_text(raw)
        if not code:
            return None
        item = lk.powers.get(code)
        if item is None:
            owner = lk.foreign_power_owner(code)
            if owner:
                raise CellError(
                    _("职权编码 %(c)s 属于%(d)s的权力清单，不是本部门的职权事项（TOL-6）")
                    % {"c": code[:50], "d": owner}
                )
            raise CellError(_("职权编码 %(c)s 不在本部门的权力清单中（TOL-6）") % {"c": code[:50]})
        if not item.is_active and not (existing and existing.power_item_id == item.pk):
            raise CellError(_("职权事项 %(c)s 已停用，不能用于新登记的案卷（TOL-6）") % {"c": code[:50]})
        return item
    raise AssertionError(kind)


def _same(case: CaseFile, data: dict[str, Any], co_handlers: list[Officer], penalty_kinds: list[PenaltyKind]) -> bool:
    for key, value in data.items():
        current = getattr(case, f"{key}_id") if key in FK_FIELDS else getattr(case, key)
        wanted = value.pk if key in FK_FIELDS and value is not None else value
        if current != wanted:
            return False
    stored_co = {o.pk for o in case.co_handlers.all()} - {case.main_handler_id}
    if {o.pk for o in co_handlers} - {data.get("main_handler", case.main_handler).pk} != stored_co:
        return False
    return {p.pk for p in penalty_kinds} == {p.pk for p in case.penalty_kinds.all()}


FK_FIELDS = {"category", "power_item", "main_handler", "legal_review_by"}


def ledger_check(*, department: Department, content: bytes, progress: Progress | None = None) -> ImportResult:
    """Parse the workbook and check every row's cells; nothing is written. Rows whose cells
    are all acceptable get a plan (create, update or unchanged); a row whose stored file is
    frozen (REV-7) and would change is an error."""
    if progress:
        progress(READING, 0, 0)
    table = read_table(content, columns=LEDGER_COLUMNS)
    present = [c for c in LEDGER_COLUMNS if c.header in table.columns]
    lk = _Lookups(department)
    result = ImportResult()

    numbers = {to_text(rec.get("案号")) for _n, rec in table.rows}
    existing_by_key = {
        (c.year, c.number): c
        for c in CaseFile.objects.filter(department=department, number__in=numbers).prefetch_related(
            "co_handlers", "penalty_kinds"
        )
    }
    # REV-7: which stored files are frozen, for the whole file at once (not a query per row).
    frozen = access.freezes_of(existing_by_key.values())
    seen: dict[tuple[int, str], int] = {}
    for index, (row_number, record) in enumerate(table.rows):
        if progress and index % PROGRESS_EVERY == 0:
            progress(CHECKING, index, len(table.rows))
        number = to_text(record.get("案号"))
        if number.startswith(EXAMPLE_PREFIX):
            continue
        values: dict[str, Any] = {}
        row_errors: list[RowError] = []
        # The key first, so that the power item check can see the stored file.
        try:
            year = to_int(record.get("年度"), low=2000, high=2100)
        except CellError as exc:
            row_errors.append(RowError(row_number, "年度", str(exc)))
            year = None
        try:
            filed_on = to_date(record.get("立案日期"))
        except CellError:
            filed_on = None
        if year is None and filed_on is not None:
            year = filed_on.year
        existing = existing_by_key.get((year, number)) if year else None
        for column in present:
            if column.key == "year":
                continue
            raw = record.get(column.header)
            try:
                value = _convert(column, raw, lk, existing)
            except CellError as exc:
                row_errors.append(RowError(row_number, column.header, str(exc)))
                continue
            if column.required and value in (None, ""):
                row_errors.append(RowError(row_number, column.header, _("必填项，不能为空")))
                continue
            values[column.key] = value
        if number and year:
            key = (year, number)
            if key in seen:
                row_errors.append(
                    RowError(
                        row_number,
                        "案号",
                        _("与第 %(r)s 行的年度和案号重复（同一部门同一年度案号唯一）") % {"r": seen[key]},
                    )
                )
            else:
                seen[key] = row_number
        if row_errors:
            result.errors.extend(row_errors)
            continue
        co_handlers = values.pop("co_handlers", None)
        penalty_kinds = values.pop("penalty_kinds", None)
        data = {k: v for k, v in values.items() if k in services.CASE_FIELDS}
        data["year"] = year
        if existing is None:
            plan = RowPlan(row_number, CREATE, number, detail=data.get("title", ""))
            co_handlers = co_handlers or []
            penalty_kinds = penalty_kinds or []
        else:
            if co_handlers is None:
                co_handlers = list(existing.co_handlers.all())
            if penalty_kinds is None:
                penalty_kinds = list(existing.penalty_kinds.all())
            action = UNCHANGED if _same(existing, data, co_handlers, penalty_kinds) else UPDATE
            if action == UPDATE and existing.pk in frozen:  # REV-7: final, changed only by amendment
                result.errors.append(RowError(row_number, "案号", frozen[existing.pk].message))
                continue
            plan = RowPlan(row_number, action, number, detail=data.get("title", existing.title), instance=existing)
        plan.payload = {"data": data, "co_handlers": co_handlers, "penalty_kinds": penalty_kinds}
        result.plans.append(plan)
    result.errors.sort(key=lambda e: e.row or 0)
    return result


class _RowRules:
    """The services' per-row rules, checked without writing (the preview of a whole file):
    field values, stage order and the other one-row rules of ``CaseFile.clean``, TOL-6 and
    REV-13 with the certified officers loaded once per filing day."""

    FK_EXCLUDE = ["department", "category", "power_item", "main_handler", "legal_review_by", "created_by"]

    def __init__(self, department: Department):
        self.department = department
        self._certified: dict[Any, set[int]] = {}

    def certified_on(self, day) -> set[int]:
        if day not in self._certified:
            self._certified[day] = set(assignable_officers(self.department.pk, day).values_list("pk", flat=True))
        return self._certified[day]

    def errors(self, plan: RowPlan) -> list[RowError]:
        """The errors of one row (empty when the services would accept it). A frozen-file or
        other new per-row rule belongs here."""
        data, co_handlers = plan.payload["data"], plan.payload["co_handlers"]
        case = CaseFile(department=self.department) if plan.instance is None else plan.instance
        already: set[int] = set()
        if plan.instance is not None:
            case = copy.copy(plan.instance)  # the stored file, not changed by the check
            already = {case.main_handler_id, *(o.pk for o in plan.instance.co_handlers.all())}
        for key, value in data.items():
            setattr(case, key, value)
        for amount in ("fine_amount", "confiscation_amount"):
            if getattr(case, amount) is None:
                setattr(case, amount, Decimal("0.00"))
        try:
            case.clean_fields(exclude=[*self.FK_EXCLUDE, "co_handlers", "penalty_kinds"])
            case.clean()
            services.validate_handlers(
                department_id=self.department.pk,
                main_handler=case.main_handler,
                co_handlers=co_handlers,
                on=case.filed_on,
                already_assigned=already,
                certified=self.certified_on(case.filed_on),
            )
        except ValidationError as exc:
            return [
                RowError(
                    plan.row, ledger_column_of(None if name == "__all__" else name), "；".join(str(m) for m in msgs)
                )
                for name, msgs in exc.message_dict.items()
            ]
        except DomainError as exc:
            return [RowError(plan.row, ledger_column_of(exc.field), error_text(exc))]
        return []


def ledger_validate(department: Department, result: ImportResult, progress: Progress | None = None) -> None:
    """Check every planned row against the services' rules, without writing; errors are added
    to ``result`` with their row numbers."""
    rules = _RowRules(department)
    for index, plan in enumerate(result.plans):
        if progress and index % PROGRESS_EVERY == 0:
            progress(VALIDATING, index, len(result.plans))
        if plan.action != UNCHANGED:
            result.errors.extend(rules.errors(plan))
    result.errors.sort(key=lambda e: e.row or 0)


def ledger_preview(
    *, department: Department, content: bytes, user=None, progress: Progress | None = None
) -> ImportResult:
    """Check every row's cells, then every row whose cells are acceptable against the services'
    rules, without writing: every error of the file is listed with its row number. No row is
    run through a service in the preview."""
    result = ledger_check(department=department, content=content, progress=progress)
    ledger_validate(department, result, progress=progress)
    return result


# Rows per bulk statement and per bulk audit row: at most ``audit.bulk.DETAIL_LIMIT`` rows per call,
# so that every audit row of the import carries each file's values, not only its primary key.
BULK_BATCH = DETAIL_LIMIT
# Stored columns the REV-5 transfer deadline depends on (its dates, title and assignee).
REV5_FIELDS = ("closed_on", "number", "main_handler")


def _batches(items: list, size: int = BULK_BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _apply_data(case: CaseFile, data: dict[str, Any]) -> None:
    """The services' field assignment (``cases.services._case_file_write``)."""
    for key, value in data.items():
        setattr(case, key, value)
    if not case.year and case.filed_on:
        case.year = case.filed_on.year
    for amount in ("fine_amount", "confiscation_amount"):
        if getattr(case, amount) is None:
            setattr(case, amount, Decimal("0.00"))
    case.status = case.derived_status()


def _m2m_rows(field: str, cases_and_values: list[tuple[CaseFile, list]]) -> list:
    relation = CaseFile._meta.get_field(field)
    through = relation.remote_field.through
    own, other = relation.m2m_field_name(), relation.m2m_reverse_field_name()
    return [
        through(**{f"{own}_id": case.pk, f"{other}_id": obj.pk}) for case, values in cases_and_values for obj in values
    ]


def _audit_m2m(field: str, cases_and_values: list[tuple[CaseFile, list]], operation: str, user) -> None:
    """The many-to-many part of a bulk write, in the chained audit trail (auditlog records it
    for ``.set()``; the through table's bulk insert sends no signal)."""
    if not cases_and_values:
        return
    audit_event_record(
        event_type=EventType.STATE_CHANGE,
        user=user,
        obj=f"cases.CaseFile.{field} ×{len(cases_and_values)}",
        detail={
            "bulk": operation,
            "model": CaseFile._meta.get_field(field).remote_field.through._meta.label,
            "field": field,
            "count": len(cases_and_values),
            "rows": [{"pk": str(case.pk), field: sorted(o.pk for o in values)} for case, values in cases_and_values],
        },
    )


def _write_m2m(changed: list[tuple[CaseFile, list[Officer], list[PenaltyKind]]], *, replace: bool, user) -> None:
    """Co-handlers (without the main handler, as ``.set()`` in the services) and penalty kinds
    of ``changed`` files: one delete (for updates) and one insert per field and batch."""
    for field, index in (("co_handlers", 1), ("penalty_kinds", 2)):
        pairs = []
        for entry in changed:
            case, values = entry[0], entry[index]
            if field == "co_handlers":
                values = [o for o in values if o.pk != case.main_handler_id]
            pairs.append((case, values))
        for batch in _batches(pairs):
            relation = CaseFile._meta.get_field(field)
            through = relation.remote_field.through
            if replace:
                through.objects.filter(**{f"{relation.m2m_field_name()}_id__in": [c.pk for c, _v in batch]}).delete()
            through.objects.bulk_create(_m2m_rows(field, batch))
            _audit_m2m(field, batch, "update" if replace else "create", user)


def _bulk_write(department: Department, user, plans: list[RowPlan]) -> None:
    """Write the checked rows set-based: ``bulk_create`` of the new files, ``bulk_update`` of
    the changed ones (both through ``AuditedManager``: one chained audit row per batch of at
    most ``BULK_BATCH`` files with each file's values before and after), the many-to-many rows
    in bulk (audited likewise), the statistics summaries through ``case_files_bulk_written``,
    and the REV-5 transfer deadlines of the files whose closing date, number or main handler is
    new (``case_files_sync_rev5``: set-based, a few queries per 500 files). The caller holds the
    transaction."""
    created: list[CaseFile] = []
    created_m2m = []
    for plan in plans:
        if plan.action != CREATE:
            continue
        case = CaseFile(department=department, created_by=user)
        _apply_data(case, plan.payload["data"])
        created.append(case)
        created_m2m.append((case, plan.payload["co_handlers"], plan.payload["penalty_kinds"]))
    for batch in _batches(created):
        CaseFile.objects.bulk_create(batch)
    _write_m2m(created_m2m, replace=False, user=user)

    updated: list[tuple[CaseFile, CaseFile]] = []
    changed_m2m = []
    fields: set[str] = {"status", "updated_at"}
    now = timezone.now()
    for plan in plans:
        if plan.action != UPDATE:
            continue
        case: CaseFile = plan.instance
        before = copy.copy(case)
        stored_co = {o.pk for o in case.co_handlers.all()} - {case.main_handler_id}
        stored_penalties = {p.pk for p in case.penalty_kinds.all()}
        data = plan.payload["data"]
        _apply_data(case, data)
        case.updated_at = now
        fields.update(k for k in data if k not in ("year", "number"))  # the key does not change
        updated.append((before, case))
        co, penalties = plan.payload["co_handlers"], plan.payload["penalty_kinds"]
        if {o.pk for o in co} - {case.main_handler_id} != stored_co or {p.pk for p in penalties} != stored_penalties:
            changed_m2m.append((case, co, penalties))
    model_fields = sorted(fields)
    for batch in _batches([after for _b, after in updated]):
        CaseFile.objects.bulk_update(batch, model_fields)
    _write_m2m(changed_m2m, replace=True, user=user)

    case_files_bulk_written.send(sender=CaseFile, created=created, updated=updated)
    rev5 = [case for case in created if case.closed_on]
    rev5 += [
        after
        for before, after in updated
        if any(
            getattr(before, f"{f}_id" if f == "main_handler" else f)
            != getattr(after, f"{f}_id" if f == "main_handler" else f)
            for f in REV5_FIELDS
        )
    ]
    services.case_files_sync_rev5(rev5)
    bump_on_commit("cases")


def _bulk_write_as(department: Department, user, plans: list[RowPlan]) -> None:
    with set_actor(user):
        _bulk_write(department, user, plans)


def _stale_rows(department: Department, result: ImportResult) -> list[RowError]:
    """Inside the write transaction: lock the stored files the import changes and refuse the
    rows whose file changed since it was checked, or was frozen meanwhile (REV-7)."""
    plans = {p.instance.pk: p for p in result.plans if p.action == UPDATE}
    if not plans:
        return []
    stored = {
        c.pk: c
        for c in CaseFile.objects.select_for_update().filter(pk__in=list(plans), department=department).order_by("pk")
    }
    errors = []
    for pk, plan in plans.items():
        now = stored.get(pk)
        if now is None or now.updated_at != plan.instance.updated_at:
            errors.append(RowError(plan.row, "案号", _("该案卷在检查后被他人修改，请重新上传。")))
    for pk, freeze in access.freezes_of(stored.values()).items():
        errors.append(RowError(plans[pk].row, "案号", freeze.message))
    return errors


def ledger_import(
    *,
    department: Department,
    content: bytes,
    user,
    progress: Progress | None = None,
    written: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Import the ledger: every row is checked (as in the preview) and then all rows are
    written set-based in one transaction, or none. ``written(result)`` runs inside that
    transaction after the rows (the background job records its end there: the rows and the
    job's "done" commit together; an exception from it rolls the import back).

    Raises ``ImportFileError`` for an unreadable file and ``ImportRejected`` (nothing saved) when
    any row is refused; records an audit event on success."""
    result = ledger_check(department=department, content=content, progress=progress)
    ledger_validate(department, result, progress=progress)
    if result.errors:  # refused before anything is written
        raise ImportRejected(result)
    if progress:
        progress(WRITING, 0, len(result.plans))
    try:
        with transaction.atomic():
            stale = _stale_rows(department, result)
            if stale:
                result.errors.extend(stale)
                result.errors.sort(key=lambda e: e.row or 0)
                raise ImportRejected(result)
            # The bulk audit rows name the importing user, also in a background worker (its
            # own context: the actor does not outlive the import in a worker process).
            contextvars.copy_context().run(_bulk_write_as, department, user, result.plans)
            audit_event_record(
                event_type=EventType.IMPORT,
                user=user,
                obj=_("案卷台账：%(d)s") % {"d": department},
                detail={
                    "kind": "ledger",
                    "department": department.pk,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
            if written is not None:
                written(result)
    except IntegrityError:
        # A file with the same number was saved meanwhile: the unique constraint decides.
        result.errors.append(
            RowError(None, "案号", _("与已保存的数据冲突（可能刚被他人录入同一案号），整份文件未保存，请重新上传。"))
        )
        raise ImportRejected(result) from None
    return result
