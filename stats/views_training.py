"""Training pages (STA-5.1): list, record a session (with an attendance sheet), one session."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from xian_enforcement.errors import DomainError
from xian_enforcement.org.models import Officer
from xian_enforcement.org.scoping import scope_for

from . import report_selectors, training
from .forms import TrainingForm


def _crumbs(last=None):
    crumbs = [
        (_("统计"), reverse("statistics:dashboard")),
        (_("培训"), reverse("statistics:training") if last else None),
    ]
    return crumbs + ([(last, None)] if last else [])


def _organisable(user):
    return [d for d in report_selectors.departments_for_reports(user) if training.can_organise(user, d)]


@login_required
def training_list(request):
    report_selectors.require_report_access(request.user)
    page = Paginator(training.trainings_visible_to(request.user).order_by("-held_on", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "statistics/training_list.html",
        {"crumbs": _crumbs(), "page": page, "can_create": bool(_organisable(request.user))},
    )


@login_required
def training_create(request):
    report_selectors.require_report_access(request.user)
    departments = _organisable(request.user)
    if not departments:
        raise PermissionDenied(_("只有法制机构人员、法制机构负责人或县司法局工作人员可以登记培训（STA-5.1）。"))
    scope = scope_for(request.user)
    officers = (
        Officer.objects.filter(region_id=scope.region_id, is_enforcement_officer=True)
        .select_related("department")
        .order_by("department__order", "department_id", "name")
    )
    form = TrainingForm(
        request.POST or None,
        request.FILES or None,
        departments=report_selectors.departments_for_reports(request.user).filter(pk__in=[d.pk for d in departments]),
        officers=officers,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sheet = data["sheet"].read() if data["sheet"] else None
        try:
            session = training.training_create(
                by=request.user,
                organiser=data["organiser"],
                title=data["title"],
                content=data["content"],
                held_on=data["held_on"],
                hours=data["hours"],
                attendees=list(data["attendees"]),
                sheet=sheet,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("已登记培训，%(n)s 人参训。") % {"n": session.attendances.count()})
            return redirect("statistics:training_detail", session.pk)
    return render(request, "statistics/training_form.html", {"crumbs": _crumbs(_("登记培训")), "form": form})


@login_required
def training_detail(request, pk: int):
    report_selectors.require_report_access(request.user)
    session = training.trainings_visible_to(request.user).filter(pk=pk).first()
    if session is None:
        raise Http404(_("没有找到该培训，或不在您的管辖范围内。"))
    attendees = session.attendances.select_related("officer__department").order_by(
        "officer__department__order", "officer__name"
    )
    return render(
        request,
        "statistics/training_detail.html",
        {"crumbs": _crumbs(session.title), "session": session, "attendees": attendees},
    )
