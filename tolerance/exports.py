"""TOL-19: the complaint register as Excel, written through the core formula-safe writer. The
reporter's identity is exported only to complaint handlers outside the accused's unit
(``selectors.reveals_reporter``), row by row. The county's register (county-wide roles,
handlers) is a background job, so that it cannot starve the web tier; a unit's own is a direct
download. Both call :func:`complaints_workbook`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from openpyxl import Workbook

from xian_enforcement.org.scoping import scope_for
from xian_enforcement.spreadsheets.writer import row_append

from . import access, selectors


def complaints_for_export(user, query: str):
    """The complaints ``user`` may read that match ``query``, newest first (the list's search)."""
    if not access.reads_complaints(user):
        raise PermissionDenied(_("信访举报仅对司法局、县领导和被反映人所在单位负责人开放（TOL-19）。"))
    qs = selectors.complaint_search(selectors.complaints_visible_to(user), query)
    return qs.order_by("-received_on", "-id")


def exports_county(user) -> bool:
    """The county's register: county-wide roles and complaint handlers read it all."""
    return scope_for(user).is_county_wide or access.handles_complaints(user)


def complaints_workbook(user, qs, *, out, progress=None, every: int = 1000) -> tuple[int, bool]:
    """Write the complaints of ``qs`` as ``user`` may see them to ``out`` (a path or a file
    object). Returns (rows written, whether the reporter columns were included: handlers only)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("信访举报"))
    header = [
        _("编号"),
        _("收到日期"),
        _("来源"),
        _("被反映人"),
        _("单位"),
        _("匿名"),
        _("反映内容"),
        _("状态"),
        _("查处结果"),
    ]
    reveal_any = access.handles_complaints(user)
    if reveal_any:
        header += [_("举报人"), _("联系方式")]
    row_append(ws, header)
    yes, no = _("是"), _("否")
    done = 0
    for c in qs.iterator(chunk_size=2000):
        row = [
            c.number,
            c.received_on.isoformat(),
            c.channel,
            c.accused.name,
            c.accused_department.short_name,
            yes if c.anonymous else no,
            c.summary,
            c.get_status_display(),
            c.get_outcome_display() if c.outcome else "",
        ]
        if reveal_any:
            shown = selectors.reveals_reporter(user, c)
            row += [c.reporter_name if shown else "", c.reporter_contact if shown else ""]
        row_append(ws, row)
        done += 1
        if progress is not None and done % every == 0:
            progress(done)
    wb.save(out)
    if progress is not None:
        progress(done)
    return done, reveal_any


def complaints_job_write(job, out, progress) -> tuple[int, dict]:
    """The background export of the complaint register (``xian_enforcement.jobs``, kind
    ``complaints``), as its owner may read it now. The job's audit row says whether the
    reporter's identity was exported."""
    query = (job.params or {}).get("q", "")
    rows, reveal = complaints_workbook(job.owner, complaints_for_export(job.owner, query), out=out, progress=progress)
    return rows, {"q": query, "reporter": reveal}
