"""Excel export of the case list, from the list page's filtered, permission-limited queryset
(NetBox ``export_table``); every cell goes through the core writer, so user text is text. Layout per ux.md: title row naming unit, filter and export time, one
frozen header row, fitted widths, numbers as numbers with yuan format, print setup."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from xian_enforcement.spreadsheets.writer import sheet_cell

from .choices import CaseStatus, LitigationState, ReconsiderationState

YUAN_FORMAT = '"¥"#,##0.00'
DATE_FORMAT = "yyyy-mm-dd"


def _columns():
    # Choice labels are lazy translations: they are resolved once per export, not once per row.
    status = {k: str(v) for k, v in CaseStatus.choices}
    recon = {k: str(v) for k, v in ReconsiderationState.choices}
    litig = {k: str(v) for k, v in LitigationState.choices}
    yes, no = str(_("是")), str(_("否"))
    return [
        (_("案号"), 22, lambda c: c.number, None),
        (_("部门"), 16, lambda c: c.department.short_name, None),
        (_("类别"), 10, lambda c: c.category.name, None),
        (_("案由"), 36, lambda c: c.title, None),
        (_("相对人"), 18, lambda c: c.party_name, None),
        (_("主办人"), 10, lambda c: c.main_handler.name, None),
        (_("协办人"), 16, lambda c: "、".join(o.name for o in c.co_handlers.all()), None),
        (_("状态"), 8, lambda c: status.get(c.status, c.status), None),
        (_("立案日期"), 12, lambda c: c.filed_on, DATE_FORMAT),
        (_("决定日期"), 12, lambda c: c.decided_on, DATE_FORMAT),
        (_("结案日期"), 12, lambda c: c.closed_on, DATE_FORMAT),
        (_("罚款金额（元）"), 14, lambda c: c.fine_amount, YUAN_FORMAT),
        (_("没收金额（元）"), 14, lambda c: c.confiscation_amount, YUAN_FORMAT),
        (_("听证"), 6, lambda c: yes if c.hearing_held else no, None),
        (_("复议"), 10, lambda c: recon.get(c.reconsideration, c.reconsideration), None),
        (_("诉讼"), 10, lambda c: litig.get(c.litigation, c.litigation), None),
    ]


def export_title(title: str, filter_summary: str) -> str:
    """The title row of every export (ux.md): unit or list, filter, export time."""
    return _("%(title)s　%(filters)s　导出时间：%(time)s") % {
        "title": title,
        "filters": filter_summary,
        "time": f"{timezone.localtime():%Y-%m-%d %H:%M}",
    }


def case_list_workbook(queryset, *, title: str, filter_summary: str, out=None, progress=None, every: int = 1000):
    """The workbook (openpyxl write-only mode: rows stream to disk, memory stays flat) written
    to ``out`` (a path or file object), or returned as bytes when ``out`` is None.
    ``progress(rows_done)`` is called every ``every`` rows (background exports)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("案卷清单"))
    columns = _columns()
    for idx, (_label, width, _get, _fmt) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    ws.append([sheet_cell(ws, export_title(title, filter_summary), font=Font(bold=True, size=13))])
    bold, centred = Font(bold=True), Alignment(horizontal="center")
    ws.append([sheet_cell(ws, label, font=bold, alignment=centred) for label, _w, _g, _f in columns])
    done = 0
    for case in queryset.iterator(chunk_size=2000):
        ws.append([sheet_cell(ws, get(case), number_format=fmt) for _label, _w, get, fmt in columns])
        done += 1
        if progress is not None and done % every == 0:
            progress(done)
    if out is not None:
        wb.save(out)
        if progress is not None:
            progress(done)
        return None
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def case_list_job_write(job, out, progress) -> int:
    """The background export of the case list (``xian_enforcement.jobs``): the list as its
    owner sees it now, with the filters and sort saved in the job. Returns the rows written."""
    from django.http import QueryDict

    from .selectors import case_list_filtered

    params = QueryDict(mutable=True)
    for key, value in (job.params or {}).items():
        params[key] = value
    _filterset, qs, _sort = case_list_filtered(job.owner, params)
    written = []

    def report(n: int) -> None:
        written[:] = [n]
        progress(n)

    case_list_workbook(qs, title=job.title, filter_summary=job.filter_summary, out=out, progress=report)
    return written[0] if written else 0
