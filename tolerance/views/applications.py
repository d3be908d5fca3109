"""Application pages: list (the module's landing page), file, edit, detail with history,
submit, withdraw, investigate, evidence, decide, notify, publish, close, acknowledge."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.selectors import case_files_visible_to
from xian_enforcement.errors import DomainError, form_error, message_error
from xian_enforcement.notices.selectors import deadlines_of
from xian_enforcement.org.models import Officer
from xian_enforcement.org.scoping import scope_for

from .. import access, selectors, services
from ..choices import ApplicationStatus
from ..forms import ApplicationForm, DecisionForm, EvidenceForm, FindingsForm, PublishForm, WithdrawForm
from ..models import DecisionNotice, Evidence

PAGE_SIZE = 30


def _crumbs(*rest):
    return [(_("容错纠错"), reverse("tolerance:index")), *rest]


@login_required
def index(request):
    status = request.GET.get("status", "")
    qs = selectors.application_list_queryset(request.user)
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tolerance/index.html",
        {
            "crumbs": [(_("容错纠错"), None)],
            "page": page,
            "status": status,
            "statuses": ApplicationStatus.choices,
            "can_list": selectors.can_list_applications(request.user),
            "can_apply": access.can_apply(request.user),
            "sees_risk": scope_for(request.user).is_county_wide or scope_for(request.user).reads_department,
            "sees_complaints": access.reads_complaints(request.user),
        },
    )


def _form_querysets(user):
    scope = scope_for(user)
    if access.can_apply_on_behalf(user):
        officers = Officer.objects.filter(department_id=scope.department_id, is_enforcement_officer=True)
    else:
        officers = Officer.objects.filter(pk=scope.officer_id)
    cases = case_files_visible_to(user).filter(department_id=scope.department_id).order_by("-filed_on")[:500]
    from cases.models import CaseFile

    return officers.order_by("name"), CaseFile.objects.filter(pk__in=list(cases.values_list("pk", flat=True)))


@login_required
def application_create(request):
    if not access.can_apply(request.user):
        raise PermissionDenied(_("您的角色不能提出容错免责申请（TOL-14b：执法人员本人或所在单位可以申请）。"))
    officers, cases = _form_querysets(request.user)
    form = ApplicationForm(request.POST or None, officers=officers, case_files=cases)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                by_user=request.user,
                officer=form.cleaned_data["officer"],
                data=form.service_data(),
                circumstances=form.cleaned_data["circumstances"],
                case_files=form.cleaned_data["case_files"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("申请已保存为草稿。上传证据材料后提交。"))
            return redirect("tolerance:application", application.pk)
    return render(
        request,
        "tolerance/application_form.html",
        {"form": form, "crumbs": _crumbs((_("提出申请"), None)), "title": _("容错免责申请")},
    )


@login_required
def application_edit(request, pk: int):
    application = selectors.application_for_user(request.user, pk, action="edit")
    if application.status != ApplicationStatus.DRAFT:
        messages.error(request, _("只有草稿可以修改；已提交的申请可以补充证据或撤回。（TOL-14b）"))
        return redirect("tolerance:application", pk)
    officers, cases = _form_querysets(request.user)
    form = ApplicationForm(request.POST or None, instance=application, officers=officers, case_files=cases)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                application=application,
                by_user=request.user,
                data=form.service_data(),
                circumstances=form.cleaned_data["circumstances"],
                case_files=form.cleaned_data["case_files"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("申请已修改。"))
            return redirect("tolerance:application", pk)
    return render(
        request,
        "tolerance/application_form.html",
        {
            "form": form,
            "application": application,
            "crumbs": _crumbs((application.number, reverse("tolerance:application", args=[pk])), (_("修改"), None)),
            "title": _("修改申请"),
        },
    )


@login_required
def application_detail(request, pk: int):
    application = selectors.application_for_user(request.user, pk)
    decision = getattr(application, "decision", None)
    notices = []
    correction = None
    deadlines = []
    show_personal = True
    if decision is not None:
        notices = list(decision.notices.select_related("recipient__officer", "department"))
        correction = getattr(decision, "correction", None)
        deadlines = list(deadlines_of(decision))
    my_notice = next((n for n in notices if n.recipient_id == request.user.pk), None)
    actions = selectors.actions_for(request.user, application)
    return render(
        request,
        "tolerance/application_detail.html",
        {
            "a": application,
            "decision": decision,
            "accepted": decision.accepted.all() if decision else [],
            "members": decision.members_present.all() if decision else [],
            "notices": notices,
            "my_notice": my_notice,
            "correction": correction,
            "deadlines": deadlines,
            "events": application.events.select_related("by__officer"),
            "evidence": application.evidence.all(),
            "circumstances": application.circumstances.all(),
            "case_files": application.case_files.all(),
            "actions": actions,
            "show_personal": show_personal,
            "findings_form": FindingsForm(initial={"findings": application.findings}),
            "withdraw_form": WithdrawForm(),
            "evidence_form": EvidenceForm(),
            "publish_form": PublishForm(initial={"publication_scope": decision.publication_scope if decision else ""}),
            "crumbs": _crumbs((application.number, None)),
            "S": ApplicationStatus,
        },
    )


def _post_step(request, pk, action, step, success):
    application = selectors.application_for_user(request.user, pk, action=action)
    try:
        step(application)
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(request, success)
    return redirect("tolerance:application", pk)


@login_required
@require_POST
def application_submit(request, pk: int):
    return _post_step(
        request,
        pk,
        "edit",
        lambda a: services.application_submit(application=a, by_user=request.user),
        _("申请已提交，等待单位法制机构调查核实。"),
    )


@login_required
@require_POST
def application_withdraw(request, pk: int):
    return _post_step(
        request,
        pk,
        "edit",
        lambda a: services.application_withdraw(
            application=a, by_user=request.user, reason=request.POST.get("reason", "")
        ),
        _("申请已撤回。"),
    )


@login_required
@require_POST
def application_investigate(request, pk: int):
    return _post_step(
        request,
        pk,
        "investigate",
        lambda a: services.application_investigate(
            application=a, by_user=request.user, findings=request.POST.get("findings", "")
        ),
        _("调查核实情况已记录。"),
    )


@login_required
@require_POST
def evidence_upload(request, pk: int):
    application = selectors.application_for_user(request.user, pk)
    if not (access.can_edit_draft(request.user, application) or access.can_investigate(request.user, application)):
        raise PermissionDenied(_("只有填报人、当事人或本单位法制机构可以上传证据（TOL-3）。"))
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
        return redirect("tolerance:application", pk)
    try:
        services.evidence_add(
            application=application,
            by_user=request.user,
            upload=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
        )
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(request, _("证据材料已上传。"))
    return redirect("tolerance:application", pk)


@login_required
def evidence_download(request, pk: int):
    evidence = Evidence.objects.filter(pk=pk).first()
    if evidence is None:
        raise Http404(_("没有找到该证据材料。"))
    selectors.application_for_user(request.user, evidence.application_id)
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "application/zip": "zip"}
    name = f"evidence-{evidence.pk}.{ext.get(evidence.content_type, 'bin')}"
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=name, content_type=evidence.content_type)


@login_required
def decision_create(request, pk: int):
    application = selectors.application_for_user(request.user, pk, action="decide")
    if application.status != ApplicationStatus.INVESTIGATING:
        messages.error(
            request,
            _("申请当前状态为“%(s)s”，不能认定（须先经单位调查核实）。（TOL-14b）")
            % {"s": application.get_status_display()},
        )
        return redirect("tolerance:application", pk)
    form = DecisionForm(request.POST or None, application=application, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_record(
                application=application,
                by_user=request.user,
                data=form.service_data(),
                accepted=form.cleaned_data["accepted"],
                members_present=form.cleaned_data["members_present"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("认定结论已记录。请在 7 日内送达当事人和相关单位（TOL-14c）。"))
            return redirect("tolerance:application", pk)
    return render(
        request,
        "tolerance/decision_form.html",
        {
            "form": form,
            "a": application,
            "circumstances": application.circumstances.all(),
            "crumbs": _crumbs((application.number, reverse("tolerance:application", args=[pk])), (_("党组认定"), None)),
        },
    )


@login_required
@require_POST
def decision_notify(request, pk: int):
    application = selectors.application_for_user(request.user, pk, action="notify")
    decision = getattr(application, "decision", None)
    if decision is None:
        raise Http404(_("该申请尚未认定。"))
    try:
        sent = services.decision_notify(decision=decision, by_user=request.user)
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(request, _("认定结论已送达 %(n)s 个对象。") % {"n": sent})
    return redirect("tolerance:application", pk)


@login_required
@require_POST
def decision_publish(request, pk: int):
    application = selectors.application_for_user(request.user, pk, action="notify")
    decision = getattr(application, "decision", None)
    if decision is None:
        raise Http404(_("该申请尚未认定。"))
    try:
        services.decision_publish(
            decision=decision, by_user=request.user, scope=request.POST.get("publication_scope", "")
        )
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(request, _("公开范围已更新。"))
    return redirect("tolerance:application", pk)


@login_required
@require_POST
def application_close(request, pk: int):
    return _post_step(
        request,
        pk,
        "investigate",
        lambda a: services.application_close(application=a, by_user=request.user),
        _("申请已办结。"),
    )


@login_required
@require_POST
def notice_acknowledge(request, pk: int):
    notice = DecisionNotice.objects.select_related("decision").filter(pk=pk, recipient=request.user).first()
    if notice is None:
        raise Http404(_("没有找到发给您的告知。"))
    try:
        services.notice_acknowledge(notice=notice, by_user=request.user)
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(request, _("已确认收到认定结论。"))
    return redirect("tolerance:application", notice.decision.application_id)
