"""The audit pages, for the audit administrator only (三员分立): read the trail and export it."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from xian_enforcement.jobs.views import export_in_background

from .choices import EventType
from .exports import EXPORT_MAX_ROWS, audit_events_filtered, audit_filter_summary, may_read_audit


def _require_auditadmin(request) -> None:
    if not may_read_audit(request.user):
        raise PermissionDenied(_("只有审计管理员可以查看审计记录（三员分立）。"))


@login_required
def audit_list(request):
    _require_auditadmin(request)
    tab = request.GET.get("tab", "changes")
    params = {}
    if tab == "events":
        params, qs = audit_events_filtered(request.GET)
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
    """The filtered security events as Excel (at most EXPORT_MAX_ROWS rows). The trail is the
    whole system's, so the export always runs in the background, where it cannot starve the web
    tier: ``exports.audit_events_job_write`` makes it, and the job records the
    export itself as an audit row when the file is made."""
    _require_auditadmin(request)
    params, qs = audit_events_filtered(request.GET)
    return export_in_background(
        request,
        kind="audit_events",
        title=_("审计事件"),
        params={k: request.GET[k] for k in ("event_type", "user", "since", "until") if request.GET.get(k)},
        filter_summary=audit_filter_summary(params),
        rows_total=min(qs.count(), EXPORT_MAX_ROWS),
    )
