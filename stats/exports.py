"""Excel workbooks of the statistics forms (STA-4): the county report (one sheet per table,
units as rows, a bold total row) and one unit's report. Layout per ux.md: a title row naming
unit, period and export time; one frozen header row; fitted widths; numbers as numbers (yuan
as '"¥"#,##0.00'); print setup (A4 landscape, fit to width, header row repeated)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from xian_enforcement.spreadsheets.writer import cell_write

from . import report_layout

YUAN_FORMAT = '"¥"#,##0.00'
COUNT_FORMAT = "#,##0"
HOURS_FORMAT = "#,##0.0"
FORMATS = {report_layout.YUAN: YUAN_FORMAT, report_layout.COUNT: COUNT_FORMAT, report_layout.HOURS: HOURS_FORMAT}


def _title(what: str, period_label: str) -> str:
    return _("%(what)s　%(period)s　导出时间：%(time)s") % {
        "what": what,
        "period": period_label,
        "time": f"{timezone.localtime():%Y-%m-%d %H:%M}",
    }


def _print_setup(ws, width_cols: int) -> None:
    ws.freeze_panes = "B3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _number(value, kind: str):
    if isinstance(value, Decimal):
        return int(value) if kind == report_layout.COUNT and value == value.to_integral_value() else float(value)
    return value


def _width(text: str) -> float:
    # CJK characters are about twice as wide as Latin ones.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text)) + 2


def county_workbook(aggregate, *, region_name: str, period_label: str, unit_count: int) -> bytes:
    """Sheets follow the forms; rows are the units with an accepted report; the total row sums
    the unit rows (values, not formulas, so that any reader sees the figures)."""
    wb = Workbook()
    wb.remove(wb.active)
    no_duty = _("无相关职责")
    for table in aggregate.tables:
        ws = wb.create_sheet(str(table.title)[:31])
        figures = table.figures
        ncols = len(figures) + 1
        cell_write(
            ws,
            1,
            1,
            _title(
                _("%(region)s行政执法统计汇总表·%(table)s（已审核 %(n)s / %(m)s 个单位）")
                % {"region": region_name, "table": table.title, "n": len(aggregate.units), "m": unit_count},
                period_label,
            ),
        ).font = Font(bold=True, size=13)
        headers = [_("单位"), *[str(f.label) for f in figures]]
        widths = [_width(h) for h in headers]
        for col, label in enumerate(headers, start=1):
            cell = cell_write(ws, 2, col, label)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        r = 3
        for unit in aggregate.units:
            cell_write(ws, r, 1, unit.name)
            widths[0] = max(widths[0], _width(unit.name))
            for col, fig in enumerate(figures, start=2):
                v = aggregate.values.get((unit.pk, fig.key))
                cell = cell_write(ws, r, col, no_duty if v == "no_duty" else _number(v, fig.kind))
                if fig.kind in FORMATS and v != "no_duty":
                    cell.number_format = FORMATS[fig.kind]
                if fig.kind == report_layout.TEXT:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            r += 1
        cell_write(ws, r, 1, _("合计")).font = Font(bold=True)
        for col, fig in enumerate(figures, start=2):
            if fig.kind == report_layout.TEXT:
                continue
            cell = cell_write(ws, r, col, _number(aggregate.totals.get(fig.key, Decimal(0)), fig.kind))
            cell.font = Font(bold=True)
            cell.number_format = FORMATS.get(fig.kind, COUNT_FORMAT)
        for col, fig in enumerate(figures, start=2):
            widths[col - 1] = 40 if fig.kind == report_layout.TEXT else min(max(widths[col - 1], 12), 24)
        for col in range(1, ncols + 1):
            ws.column_dimensions[get_column_letter(col)].width = min(widths[col - 1], 40)
        ws.row_dimensions[2].height = 45
        _print_setup(ws, ncols)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def unit_workbook(report, tables_rows, *, period_label: str) -> bytes:
    """One unit's report: one sheet per table, figures as rows: reported, recorded, reason."""
    wb = Workbook()
    wb.remove(wb.active)
    no_duty = _("无相关职责")
    for table, rows in tables_rows:
        ws = wb.create_sheet(str(table.title)[:31])
        cell_write(
            ws,
            1,
            1,
            _title(
                _("%(unit)s行政执法统计表·%(table)s（%(status)s）")
                % {"unit": report.department.name, "table": table.title, "status": report.get_status_display()},
                period_label,
            ),
        ).font = Font(bold=True, size=13)
        for col, label in enumerate([_("项目"), _("填报数"), _("系统记录数"), _("差异说明")], start=1):
            cell = cell_write(ws, 2, col, label)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
        for r, (fig, row) in enumerate(rows, start=3):
            cell_write(ws, r, 1, str(fig.label)).font = Font(bold=fig.is_total)
            if row is None:
                continue
            if fig.kind == report_layout.TEXT:
                cell_write(ws, r, 2, row.text).alignment = Alignment(wrap_text=True)
                continue
            value = no_duty if row.no_duty else _number(row.value, fig.kind)
            cell = cell_write(ws, r, 2, value)
            cell.font = Font(bold=fig.is_total)
            if not row.no_duty:
                cell.number_format = FORMATS[fig.kind]
            if row.recorded is not None:
                cell_write(ws, r, 3, _number(row.recorded, fig.kind)).number_format = FORMATS[fig.kind]
            cell_write(ws, r, 4, row.reason)
        for col, width in zip("ABCD", (34, 16, 14, 40), strict=True):
            ws.column_dimensions[col].width = width
        _print_setup(ws, 4)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
