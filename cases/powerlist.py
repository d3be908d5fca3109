"""TOL-6: power lists (权力清单) — who reads and maintains them, the list filter, Excel export and
the all-or-nothing Excel import (upsert by department and code).

Who: every unit reads its own list and county-wide roles read the county's; a department's legal
office (法制机构人员、负责人) maintains its own list, and the system administrator maintains any
department's list in the county ("Administrators maintain it"). Leaders and bureau staff read.
"""

from __future__ import annotations

import io
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xian_enforcement.audit.services import EventType, audit_event_record
from xian_enforcement.errors import DomainError
from xian_enforcement.org.choices import Role
from xian_enforcement.org.models import Department
from xian_enforcement.org.scoping import scope_for
from xian_enforcement.org.selectors import enforcement_departments
from xian_enforcement.spreadsheets.writer import row_append, sheet_cell

from . import selectors
from .exports import export_title
from .ledger import (
    CREATE,
    UNCHANGED,
    UPDATE,
    CellError,
    Column,
    ImportRejected,
    ImportResult,
    RowError,
    RowPlan,
    apply_rows,
    dry_run,
    read_table,
    to_bool,
    to_text,
)
from .models import CaseCategory, PowerItem

# --------------------------------------------------------------------------------------------
# Who may read and maintain
# --------------------------------------------------------------------------------------------


def _is_county_sysadmin(scope) -> bool:
    return scope.has(Role.SYSADMIN) and scope.region_id is not None


def power_items_for(user) -> QuerySet[PowerItem]:
    """The power items a user may see: ``selectors.power_items_visible_to`` plus, for the system
    administrator (who maintains every list of the county), the county's items."""
    scope = scope_for(user)
    qs = selectors.power_items_visible_to(user)
    if _is_county_sysadmin(scope) and not scope.is_county_wide:
        qs = PowerItem.objects.select_related("department", "category").filter(department__region_id=scope.region_id)
    return qs


def can_read_power_list(user) -> bool:
    scope = scope_for(user)
    return scope.is_county_wide or _is_county_sysadmin(scope) or (scope.department_id is not None and bool(scope.roles))


def can_maintain_power_list(user) -> bool:
    scope = scope_for(user)
    return (scope.writes_department and not scope.is_read_only) or _is_county_sysadmin(scope)


def power_list_departments(user) -> QuerySet[Department]:
    """Departments whose list the user may maintain: their own (legal office), or every
    enforcement department of the county (system administrator)."""
    scope = scope_for(user)
    if _is_county_sysadmin(scope):
        return enforcement_departments(scope.region_id).order_by("order", "id")
    if scope.writes_department and not scope.is_read_only:
        return Department.objects.filter(pk=scope.department_id)
    return Department.objects.none()


def list_departments(user) -> QuerySet[Department]:
    """Departments offered in the list's department filter."""
    scope = scope_for(user)
    if scope.is_county_wide or _is_county_sysadmin(scope):
        return Department.objects.filter(region_id=scope.region_id).order_by("order", "id")
    if scope.department_id is not None:
        return Department.objects.filter(pk=scope.department_id)
    return Department.objects.none()


# --------------------------------------------------------------------------------------------
# List filter
# --------------------------------------------------------------------------------------------


class PowerItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("关键词"), method="filter_q")
    department = django_filters.ModelChoiceFilter(label=gettext_lazy("部门"), queryset=Department.objects.none())
    category = django_filters.ModelChoiceFilter(
        label=gettext_lazy("职权类别"), queryset=CaseCategory.objects.filter(is_active=True)
    )
    is_active = django_filters.ChoiceFilter(
        label=gettext_lazy("状态"),
        choices=[("1", gettext_lazy("有效")), ("0", gettext_lazy("停用"))],
        method="filter_active",
    )

    class Meta:
        model = PowerItem
        fields = ["q", "department", "category", "is_active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = list_departments(user)
        self.filters["department"].queryset = departments
        scope = scope_for(user)
        self.show_department = scope.is_county_wide or _is_county_sysadmin(scope)
        if not self.show_department:
            del self.filters["department"]
        self.filters["q"].field.widget.attrs["placeholder"] = _("编码、名称或设定依据")
        for name, filter_ in self.filters.items():
            css = "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
            filter_.field.widget.attrs["class"] = css

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(legal_basis__icontains=value))

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "1")


# --------------------------------------------------------------------------------------------
# Columns, export
# --------------------------------------------------------------------------------------------

DEPARTMENT_HEADER = "部门"

POWER_COLUMNS: list[Column] = [
    Column("职权编码", "code", "text", True, 18, "本部门内唯一；导入时按编码新增或更新。", "XZCF-0001"),
    Column("职权名称", "name", "text", True, 40, "职权事项名称。", "对销售过期食品的处罚"),
    Column("职权类别", "category", "category", True, 12, "案件类别名称，如 行政处罚、行政许可。", "行政处罚"),
    Column("设定依据", "legal_basis", "text", True, 50, "法律、法规、规章依据。", "《中华人民共和国食品安全法》"),
    Column("责任岗位", "responsible_post", "text", True, 16, "承担该职权的岗位或机构。", "执法大队"),
    Column(
        "追责情形及方式",
        "liability_form",
        "text",
        True,
        40,
        "责任事项清单：追责情形与方式。",
        "不履行法定职责的，依法追责",
    ),
    Column("有效", "is_active", "bool", False, 8, "是/否，不填为“是”；停用的事项不能用于新案卷。", "是"),
]
POWER_COLUMN_BY_KEY = {c.key: c for c in POWER_COLUMNS}


def power_column_of(field_name: str | None) -> str:
    column = POWER_COLUMN_BY_KEY.get(field_name or "")
    return column.header if column else ""


def power_items_filtered(user, params) -> tuple[PowerItemFilter, QuerySet[PowerItem]]:
    """The list page's filter over the items ``user`` may see, bound to ``params`` (a QueryDict
    or None), ordered as the list and its export are."""
    qs = power_items_for(user)
    filterset = PowerItemFilter(params or None, queryset=qs, user=user)
    return filterset, filterset.qs.order_by("department__order", "department_id", "code")


def exports_county(user) -> bool:
    """A power-list export spans the county (county-wide roles, the county's system
    administrator): it then runs in the background, so that it cannot starve the web tier; a
    unit's own list is a direct download."""
    scope = scope_for(user)
    return scope.is_county_wide or _is_county_sysadmin(scope)


def power_items_workbook(
    queryset, *, title: str, filter_summary: str, with_department: bool, out=None, progress=None, every: int = 1000
):
    """Export exactly ``queryset`` (the list page's filtered, permission-limited items). The
    header row uses the import's column names, so an export can be edited and imported again.
    Written to ``out`` (a path or file object) and returns the rows written, or returned as bytes
    when ``out`` is None; ``progress(rows_done)`` is called every ``every`` rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("权力清单"))
    columns: list[tuple[str, int, Any]] = []
    if with_department:
        columns.append((DEPARTMENT_HEADER, 18, lambda p: p.department.name))
    getters = {
        "category": lambda p: p.category.name,
        "is_active": lambda p: _("是") if p.is_active else _("否"),
    }
    for column in POWER_COLUMNS:
        columns.append((column.header, column.width, getters.get(column.key, lambda p, k=column.key: getattr(p, k))))
    for idx, (_h, width, _g) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.append([sheet_cell(ws, export_title(title, filter_summary), font=Font(bold=True, size=13))])
    bold, centred = Font(bold=True), Alignment(horizontal="center")
    ws.append([sheet_cell(ws, label, font=bold, alignment=centred) for label, _w, _g in columns])
    done = 0
    for item in queryset.iterator(chunk_size=2000):
        row_append(ws, [get(item) for _h, _w, get in columns])
        done += 1
        if progress is not None and done % every == 0:
            progress(done)
    if out is not None:
        wb.save(out)
        if progress is not None:
            progress(done)
        return done
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def power_list_job_write(job, out, progress) -> int:
    """The background export of the power list (``xian_enforcement.jobs``, kind ``power_list``):
    the list as its owner may read it now, with the filters saved in the job. Returns the rows
    written."""
    from django.http import QueryDict

    if not can_read_power_list(job.owner):
        raise PermissionDenied("the owner may no longer read the power list (TOL-6)")
    params = QueryDict(mutable=True)
    for key, value in (job.params or {}).items():
        params[key] = value
    filterset, qs = power_items_filtered(job.owner, params)
    return power_items_workbook(
        qs,
        title=job.title,
        filter_summary=job.filter_summary,
        with_department=filterset.show_department,
        out=out,
        progress=progress,
    )


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


def power_item_save(*, department: Department, code: str, values: dict[str, Any], instance: PowerItem | None = None):
    """TOL-6: create or update one power item of ``department`` after ``full_clean``; the code
    is unique within the department."""
    with transaction.atomic():
        item = instance or PowerItem(department=department, code=code)
        if item.department_id != department.pk:
            raise DomainError(_("职权事项不属于本部门的权力清单（TOL-6）。"), rule_id="TOL-6")
        for key, value in values.items():
            setattr(item, key, value)
        try:
            item.full_clean()
        except ValidationError as exc:
            field_name, _msgs = next(iter(exc.message_dict.items()))
            text = "；".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
            raise DomainError(text, field=None if field_name == "__all__" else field_name) from exc
        item.save()
        return item


def _same(item: PowerItem, values: dict[str, Any]) -> bool:
    for key, value in values.items():
        current = item.category_id if key == "category" else getattr(item, key)
        wanted = value.pk if key == "category" else value
        if current != wanted:
            return False
    return True


def power_list_check(*, department: Department, content: bytes) -> ImportResult:
    """Parse and check every row; each acceptable row gets a plan (create, update, unchanged)."""
    table = read_table(content, columns=POWER_COLUMNS, extra_headers=(DEPARTMENT_HEADER,))
    present = [c for c in POWER_COLUMNS if c.header in table.columns]
    categories = {c.name: c for c in CaseCategory.objects.filter(is_active=True)}
    existing = {p.code: p for p in PowerItem.objects.filter(department=department)}
    dept_names = {department.name, department.short_name}
    result = ImportResult()
    seen: dict[str, int] = {}
    for row_number, record in table.rows:
        errors: list[RowError] = []
        owner = to_text(record.get(DEPARTMENT_HEADER))
        if owner and owner not in dept_names:
            errors.append(
                RowError(
                    row_number,
                    DEPARTMENT_HEADER,
                    _("该行属于“%(o)s”，不能导入到%(d)s的权力清单（TOL-6）") % {"o": owner[:50], "d": department},
                )
            )
        values: dict[str, Any] = {}
        for column in present:
            raw = record.get(column.header)
            try:
                if column.kind == "bool":
                    value: Any = to_bool(raw, default=True)
                elif column.kind == "category":
                    name = to_text(raw)
                    if name and name not in categories:
                        raise CellError(
                            _("类别“%(v)s”不存在，可选值：%(a)s") % {"v": name[:40], "a": "、".join(categories)}
                        )
                    value = categories.get(name)
                else:
                    value = to_text(raw)
            except CellError as exc:
                errors.append(RowError(row_number, column.header, str(exc)))
                continue
            if column.required and value in (None, ""):
                errors.append(RowError(row_number, column.header, _("必填项，不能为空")))
                continue
            values[column.key] = value
        code = values.pop("code", "")
        if code:
            if code in seen:
                errors.append(RowError(row_number, "职权编码", _("与第 %(r)s 行的职权编码重复") % {"r": seen[code]}))
            else:
                seen[code] = row_number
        if errors:
            result.errors.extend(errors)
            continue
        item = existing.get(code)
        if item is None:
            plan = RowPlan(row_number, CREATE, code, detail=values.get("name", ""))
        else:
            action = UNCHANGED if _same(item, values) else UPDATE
            plan = RowPlan(row_number, action, code, detail=values.get("name", item.name), instance=item)
        plan.payload = {"code": code, "values": values}
        result.plans.append(plan)
    return result


def _power_writer(department: Department):
    def write(plan: RowPlan) -> None:
        power_item_save(department=department, instance=plan.instance, **plan.payload)

    return write


def power_list_preview(*, department: Department, content: bytes) -> ImportResult:
    result = power_list_check(department=department, content=content)
    result.errors.extend(dry_run(result.plans, _power_writer(department), power_column_of))
    result.errors.sort(key=lambda e: e.row or 0)
    return result


def power_list_import(*, department: Department, content: bytes, user) -> ImportResult:
    """TOL-6: import a department's power list, all rows or none; upsert by (department, code).
    Items not in the file are left as they are (mark them 有效=否 to retire them)."""
    result = power_list_check(department=department, content=content)
    if result.errors:  # a cell error is known: refused before any row runs through the service
        raise ImportRejected(result)
    with transaction.atomic():
        result.errors.extend(apply_rows(result.plans, _power_writer(department), power_column_of))
        if result.errors:
            result.errors.sort(key=lambda e: e.row or 0)
            raise ImportRejected(result)
        audit_event_record(
            event_type=EventType.IMPORT,
            user=user,
            obj=_("权力清单：%(d)s") % {"d": department},
            detail={
                "kind": "power_list",
                "department": department.pk,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


def power_template_workbook() -> bytes:
    """An empty power-list workbook with the import's header and an explanation row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "权力清单"
    for idx, column in enumerate(POWER_COLUMNS, start=1):
        cell = ws.cell(row=1, column=idx, value=column.header)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        ws.column_dimensions[get_column_letter(idx)].width = column.width
    ws.freeze_panes = "A2"
    help_ws = wb.create_sheet("填写说明")
    help_ws.append(["列名", "是否必填", "说明", "示例"])
    for column in POWER_COLUMNS:
        help_ws.append([column.header, "必填" if column.required else "选填", column.help, column.example])
    for letter, width in zip("ABCD", (16, 10, 50, 40), strict=True):
        help_ws.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
