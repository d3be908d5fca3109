"""The audit page, for the audit administrator only (三员分立)."""

from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from xian_enforcement.org.choices import Role
from xian_enforcement.org.scoping import scope_for

from .models import AuditEvent


@login_required
def audit_list(request):
    if not scope_for(request.user).has(Role.AUDITADMIN):
        raise PermissionDenied(_("只有审计管理员可以查看审计记录（三员分立）。"))
    tab = request.GET.get("tab", "changes")
    if tab == "events":
        qs = AuditEvent.objects.select_related("user")
        event_type = request.GET.get("event_type")
        if event_type:
            qs = qs.filter(event_type=event_type)
    else:
        qs = LogEntry.objects.select_related("actor", "content_type")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/audit_list.html", {"page": page, "tab": tab})
