"""Home page (a to-do list per role) and officer pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.notices.selectors import todo_for
from xian_enforcement.org.scoping import scope_for

from .choices import CertificateStatus
from .home import officer_panels_for, panels_for
from .models import Officer
from .selectors import departments_visible_to, officers_visible_to


@login_required
def home(request):
    """What needs my action now (overdue and due soon, each with its rule), and my department's
    figures."""
    today = timezone.localdate()
    scope = scope_for(request.user)
    todo = todo_for(request.user, today)
    return render(
        request,
        "org/home.html",
        {"todo": todo, "panels": panels_for(request.user, today), "today": today, "scope": scope},
    )


@login_required
def officer_list(request):
    """Officers and their certificates within the user's jurisdiction."""
    if not departments_visible_to(request.user).exists():
        raise PermissionDenied(_("您的角色无权查看执法人员名册。"))
    qs = officers_visible_to(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(certificates__number__icontains=q)).distinct()
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "org/officer_list.html", {"page": page, "q": q, "statuses": dict(CertificateStatus.choices)})


@login_required
def officer_detail(request, pk: int):
    officer = (
        Officer.objects.select_related("department", "unit", "region")
        .prefetch_related("certificates__status_changes")
        .filter(pk=pk, department__in=departments_visible_to(request.user))
        .first()
    )
    if officer is None:
        raise Http404(_("没有找到该人员，或不在您的管辖范围内。"))
    panels = officer_panels_for(officer, request.user)
    return render(request, "org/officer_detail.html", {"officer": officer, "panels": panels})
