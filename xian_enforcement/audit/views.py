"""The audit pages, for the audit administrator only (三员分立): read the trail and export it."""

from __future__ import annotations

import datetime
import io

from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from xian_enforcement.org.choices import Role
from xian_enforcement.org.scoping import scope_for
from xian_enforcement.spreadsheets.writer import row_append

from .choices import EventType, Outcome
from .models import AuditEvent
from .services import audit_event_record

EXPORT_MAX_ROWS = 100_000


def _require_auditadmin(request) -> None:
    if not scope_for(request.user).has(Role.AUDITADMIN):
        raise PermissionDenied(_("只有审计管理员可以查看审计记录（三员分立）。"))


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _event_filters(request) -> tuple[dict, object]:
    params = {
        "event_type": request.GET.get("event_type", "") if request.GET.get("event_type") in EventType.values else "",
        "user": request.GET.get("user", "").strip()[:150],
        "since": _date(request.GET.get("since", "")),
        "until": _date(request.GET.get("until", "")),
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


@login_required
def audit_list(request):
    _require_auditadmin(request)
    tab = request.GET.get("tab", "changes")
    params = {}
    if tab == "events":
        params, qs = _event_filters(request)
    else:
        qs = LogEntry.objects.select_related("actor", "content_type")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    if tab != "events":
        # Pairs built here: a model field named "items" would shadow dict.items in a template.
        for entry in page.object_list:
            entry.change_rows = [(field, change) for field, change in entry.changes_dict.items()]
    return render(
        request,
        "audit/audit_list.html",
        {"page": page, "tab": tab, "params": params, "event_types": EventType.choices},
    )


@login_required
def audit_export(request):
    """The filtered security events as Excel (write-only, at most EXPORT_MAX_ROWS rows); the export
    itself is an audit row."""
    _require_auditadmin(request)
    params, qs = _event_filters(request)
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
    buffer = io.BytesIO()
    wb.save(buffer)
    audit_event_record(
        event_type=EventType.EXPORT,
        user=request.user,
        obj=_("审计事件"),
        detail={"rows": count, **{k: str(v) for k, v in params.items() if v}},
    )
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
    return response
