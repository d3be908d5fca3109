"""The audit events export (三员分立: the audit administrator only): the filter, the workbook
(written through the core formula-safe writer) and its background job. The audit trail is the
whole system's, so its export always runs in the background, where it cannot starve the web
tier; the job's own audit row records the export."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from xian_enforcement.org.choices import Role
from xian_enforcement.org.scoping import scope_for
from xian_enforcement.spreadsheets.writer import row_append

from .choices import EventType, Outcome
from .models import AuditEvent

EXPORT_MAX_ROWS = 100_000


def may_read_audit(user) -> bool:
    return scope_for(user).has(Role.AUDITADMIN)


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def audit_events_filtered(data) -> tuple[dict, object]:
    """The events tab's filters read from ``data`` (a QueryDict or a dict of strings), and the
    filtered events."""
    event_type = data.get("event_type", "")
    params = {
        "event_type": event_type if event_type in EventType.values else "",
        "user": data.get("user", "").strip()[:150],
        "since": _date(data.get("since", "")),
        "until": _date(data.get("until", "")),
    }
    qs = AuditEvent.objects.select_related("user")
    if params["event_type"]:
        qs = qs.filter(event_type=params["event_type"])
    if params["user"]:
        qs = qs.filter(username__icontains=params["user"])
    tz = timezone.get_current_timezone()
    if params["since"]:
        qs = qs.filter(created_at__gte=datetime.datetime.combine(params["since"], datetime.time.min, tzinfo=tz))
    if params["until"]:
        qs = qs.filter(
            created_at__lt=datetime.datetime.combine(params["until"], datetime.time.min, tzinfo=tz)
            + datetime.timedelta(days=1)
        )
    return params, qs


def audit_filter_summary(params: dict) -> str:
    labels = dict(EventType.choices)
    parts = []
    if params["event_type"]:
        parts.append(_("事件：%(v)s") % {"v": labels[params["event_type"]]})
    if params["user"]:
        parts.append(_("用户：%(v)s") % {"v": params["user"]})
    if params["since"]:
        parts.append(_("自：%(v)s") % {"v": params["since"].isoformat()})
    if params["until"]:
        parts.append(_("至：%(v)s") % {"v": params["until"].isoformat()})
    return "；".join(parts) or _("全部")


def audit_events_workbook(qs, *, out, progress=None, every: int = 1000) -> int:
    """The events of ``qs`` in id order (at most EXPORT_MAX_ROWS), written to ``out`` (a path or
    a file object) with openpyxl's write-only mode; returns the rows written."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("审计事件"))
    row_append(
        ws,
        [_("编号"), _("时间"), _("用户"), _("事件"), _("结果"), _("对象"), "IP", _("请求编号"), _("详情"), _("哈希")],
    )
    labels, outcomes = dict(EventType.choices), dict(Outcome.choices)
    count = 0
    tz = timezone.get_current_timezone()
    for e in qs.order_by("pk").iterator(chunk_size=2000):
        if count >= EXPORT_MAX_ROWS:
            break
        row_append(
            ws,
            [
                e.pk,
                e.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %z"),
                e.username,
                str(labels.get(e.event_type, e.event_type)),
                str(outcomes.get(e.outcome, e.outcome)),
                e.object_repr,
                e.ip or "",
                e.request_id,
                str(e.detail)[:2000],
                e.row_hash,
            ],
        )
        count += 1
        if progress is not None and count % every == 0:
            progress(count)
    wb.save(out)
    if progress is not None:
        progress(count)
    return count


def audit_events_job_write(job, out, progress) -> int:
    """The background export of the audit events (``xian_enforcement.jobs``, kind
    ``audit_events``): the owner must still be the audit administrator."""
    if not may_read_audit(job.owner):
        raise PermissionDenied("only the audit administrator exports the audit trail")
    _params, qs = audit_events_filtered(job.params or {})
    return audit_events_workbook(qs, out=out, progress=progress)
