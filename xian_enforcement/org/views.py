"""Home page (a to-do list per role) and officer pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xian_enforcement.audit.unmask import UnmaskForm, identity_unmask
from xian_enforcement.errors import DomainError
from xian_enforcement.notices.selectors import todo_for
from xian_enforcement.org.scoping import scope_for

from . import services
from .choices import CertificateStatus
from .forms import CertificateStatusForm
from .home import officer_panels_for, panels_for
from .models import Certificate, Officer
from .selectors import can_manage_certificates, can_unmask_id_number, departments_visible_to, officers_visible_to


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


def _officer_for(user, pk: int) -> Officer:
    officer = (
        Officer.objects.select_related("department", "unit", "region")
        .prefetch_related("certificates__status_changes")
        .filter(pk=pk, department__in=departments_visible_to(user))
        .first()
    )
    if officer is None:
        raise Http404(_("没有找到该人员，或不在您的管辖范围内。"))
    return officer


def _officer_page(request, officer: Officer, *, unmask_form=None, revealed_id_number: str = "", status=200):
    can_manage = can_manage_certificates(request.user, officer)
    can_unmask = bool(officer.id_number) and can_unmask_id_number(request.user, officer)
    return render(
        request,
        "org/officer_detail.html",
        {
            "officer": officer,
            "panels": officer_panels_for(officer, request.user),
            "can_manage_certificates": can_manage,
            "status_form": CertificateStatusForm() if can_manage else None,
            "unmask_form": (unmask_form or UnmaskForm()) if can_unmask else None,
            "revealed_id_number": revealed_id_number,
        },
        status=status,
    )


@login_required
def officer_detail(request, pk: int):
    return _officer_page(request, _officer_for(request.user, pk))


@login_required
@require_POST
def officer_unmask(request, pk: int):
    """Show the full ID number once, with the reason audited (security.md: unmasking audited)."""
    officer = _officer_for(request.user, pk)
    if not can_unmask_id_number(request.user, officer):
        raise PermissionDenied(_("只有司法局工作人员和本部门法制机构负责人可以查看完整身份证号。"))
    form = UnmaskForm(request.POST)
    if not form.is_valid():
        return _officer_page(request, officer, unmask_form=form, status=400)
    identity_unmask(user=request.user, obj=officer, field="id_number", reason=form.cleaned_data["reason"])
    response = _officer_page(request, officer, revealed_id_number=officer.id_number)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def certificate_status(request, pk: int):
    """Suspend, revoke, reinstate or expire a certificate, with the reason and date recorded."""
    certificate = (
        Certificate.objects.select_related("officer")
        .filter(pk=pk, officer__department__in=departments_visible_to(request.user))
        .first()
    )
    if certificate is None:
        raise Http404(_("没有找到该执法证，或不在您的管辖范围内。"))
    if not can_manage_certificates(request.user, certificate.officer):
        raise PermissionDenied(_("只有司法局工作人员可以变更行政执法证状态。"))
    form = CertificateStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择新状态并填写原因。"))
        return redirect("org:officer_detail", pk=certificate.officer_id)
    try:
        services.certificate_change_status(
            certificate=certificate,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
            changed_by=request.user,
        )
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("org:officer_detail", pk=certificate.officer_id)
    messages.success(
        request,
        _("执法证 %(n)s 已变更为“%(s)s”。暂停、吊销或过期的证件不能承办新案件，也不在公示名单中。")
        % {"n": certificate.number, "s": CertificateStatus(form.cleaned_data["to_status"]).label},
    )
    return redirect("org:officer_detail", pk=certificate.officer_id)
