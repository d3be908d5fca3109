"""Correction order pages (TOL-16, TOL-17): issue, item progress, extension requests."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xian_enforcement.errors import DomainError, form_error, message_error
from xian_enforcement.notices.selectors import deadlines_of

from .. import selectors, services
from ..choices import CorrectionStatus, ExtensionStatus
from ..conf import rule
from ..forms import CorrectionIssueForm, ExtensionDecideForm, ExtensionRequestForm, ItemReportForm
from ..models import CorrectionItem, ExtensionRequest


def _page(request, order, issue_form=None, extension_form=None):
    application = order.decision.application
    actions = selectors.actions_for(request.user, application)
    return render(
        request,
        "tolerance/correction_detail.html",
        {
            "order": order,
            "a": application,
            "items": order.items.all(),
            "extensions": order.extensions.select_related("requested_by__officer", "decided_by__officer"),
            "deadlines": deadlines_of(order),
            "actions": actions,
            "issue_form": issue_form
            or CorrectionIssueForm(
                initial={
                    "reasons": order.reasons,
                    "due_date": timezone.localdate() + datetime.timedelta(days=rule("TOL_17_DEFAULT_DAYS")),
                }
            ),
            "extension_form": extension_form or ExtensionRequestForm(),
            "decide_form": ExtensionDecideForm(),
            "item_form": ItemReportForm(),
            "CS": CorrectionStatus,
            "ES": ExtensionStatus,
            "crumbs": [
                (_("容错纠错"), reverse("tolerance:index")),
                (application.number, reverse("tolerance:application", args=[application.pk])),
                (_("纠错整改"), None),
            ],
        },
    )


@login_required
def correction_detail(request, pk: int):
    return _page(request, selectors.correction_for_user(request.user, pk))


@login_required
@require_POST
def correction_issue(request, pk: int):
    order = selectors.correction_for_user(request.user, pk, action="issue")
    form = CorrectionIssueForm(request.POST)
    if form.is_valid():
        try:
            services.correction_issue(
                order=order,
                by_user=request.user,
                reasons=form.cleaned_data["reasons"],
                requirements=form.cleaned_data["requirements"],
                items=form.cleaned_data["items"].splitlines(),
                due_date=form.cleaned_data["due_date"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("纠错整改通知已下达，并已通知当事人。"))
            return redirect("tolerance:correction", pk)
    return _page(request, order, issue_form=form)


@login_required
@require_POST
def item_report(request, pk: int):
    item = CorrectionItem.objects.filter(pk=pk).first()
    if item is None:
        raise Http404(_("没有找到该整改事项。"))
    selectors.correction_for_user(request.user, item.order_id, action="subject")
    form = ItemReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择状态并填写整改进展。"))
    else:
        try:
            services.correction_item_report(item=item, by_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            message_error(request, exc)
        else:
            messages.success(request, _("整改进展已报告。"))
    return redirect("tolerance:correction", item.order_id)


@login_required
@require_POST
def extension_create(request, pk: int):
    order = selectors.correction_for_user(request.user, pk, action="subject")
    form = ExtensionRequestForm(request.POST)
    if form.is_valid():
        try:
            services.extension_request(order=order, by_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("延期申请已提交，等待下达单位审批。"))
            return redirect("tolerance:correction", pk)
    return _page(request, order, extension_form=form)


@login_required
@require_POST
def extension_decide(request, pk: int):
    ext = ExtensionRequest.objects.filter(pk=pk).first()
    if ext is None:
        raise Http404(_("没有找到该延期申请。"))
    selectors.correction_for_user(request.user, ext.order_id, action="issue")
    form = ExtensionDecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或不予批准。"))
    else:
        try:
            services.extension_decide(
                request=ext, by_user=request.user, approve=form.cleaned_data["approve"], note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            message_error(request, exc)
        else:
            messages.success(request, _("延期申请已审批。"))
    return redirect("tolerance:correction", ext.order_id)
