"""Case-file pages: list (filter, sort, paginate, export), detail with timeline, create, edit,
transfer for self-review, attachments. Views are thin: a form or FilterSet, one selector or
service, render or redirect."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xian_enforcement.audit.services import EventType, audit_event_record
from xian_enforcement.errors import DomainError, error_status, form_error
from xian_enforcement.notices.selectors import deadlines_of
from xian_enforcement.org.models import Department
from xian_enforcement.org.scoping import scope_for

from . import access, selectors, services
from .choices import CaseStatus, LitigationState, ReconsiderationState
from .exports import case_list_workbook
from .forms import AttachmentForm, CaseFileAmendmentForm, CaseFileForm
from .panels import case_panels_for

PAGE_SIZE = 50
PAGING_PARAMS = ("page", "after", "before", "last")


def _require_list_access(user) -> None:
    if not selectors.can_list_cases(user):
        raise PermissionDenied(_("您的角色无权查看案卷（案卷仅对执法、法制、司法局和县领导角色开放）。"))


def _filtered(request):
    _require_list_access(request.user)
    return selectors.case_list_filtered(request.user, request.GET)


def _active_filters(filterset, params) -> list[tuple[str, str, str]]:
    """(label, value, query string without it) of each active filter, for removable chips."""
    chips = []
    if not filterset.is_bound or not filterset.form.is_valid():
        return chips
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", False):
            continue
        field = filterset.form.fields[name]
        shown = value
        if hasattr(field, "choices") and not hasattr(value, "pk"):
            shown = dict(field.choices).get(value, value)
        if value is True:
            shown = _("是")
        remaining = params.copy()
        remaining.pop(name, None)
        for key in PAGING_PARAMS:
            remaining.pop(key, None)
        chips.append((field.label, str(shown), remaining.urlencode()))
    return chips


@login_required
def case_list(request):
    """Keyset pagination (performance.md target 3): ``after`` / ``before`` an opaque cursor, or
    ``last=1``; every page, the last included, reads one index range of ``PAGE_SIZE`` rows. The
    total is exact up to 10,000 files, "10,000 件以上" beyond (one capped count)."""
    _require_list_access(request.user)
    filterset, page, sort = selectors.case_list_page(
        request.user,
        request.GET,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        last=request.GET.get("last") == "1",
        size=PAGE_SIZE,
    )
    labels = dict(CaseStatus.choices)
    for row in page.object_list:  # the status as the template shows it (rows are dicts)
        row["status_label"] = labels.get(row["status"], row["status"])
        row["excluded"] = (  # REV-12: files under reconsideration or litigation are not reviewed
            row["reconsideration"] != ReconsiderationState.NONE or row["litigation"] != LitigationState.NONE
        )
    return render(
        request,
        "cases/casefile_list.html",
        {
            "filter": filterset,
            "page": page,
            "sort": sort,
            "chips": _active_filters(filterset, request.GET),
            "can_create": selectors.can_create_case(request.user),
            "can_import": scope_for(request.user).writes_department,
        },
    )


@login_required
def case_export(request):
    """Small lists of one unit are exported at once; a county-wide user's export, and any of
    more than ``EXPORT_SYNC_MAX_ROWS`` rows (performance.md target 8), become a background job
    (exports cannot starve the web tier): redirect to its progress page."""
    filterset, qs, _sort = _filtered(request)
    chips = _active_filters(filterset, request.GET)
    summary = "；".join(f"{label}：{value}" for label, value, _p in chips) or _("全部")
    scope = scope_for(request.user)
    title = _("行政执法案卷清单")
    rows, _estimate = selectors.estimated_count(qs)
    if scope.is_county_wide or rows > settings.EXPORT_SYNC_MAX_ROWS:
        from xian_enforcement.jobs.views import export_in_background

        params = {k: v for k, v in request.GET.items() if k not in PAGING_PARAMS}
        return export_in_background(
            request, kind="cases", title=title, params=params, filter_summary=summary, rows_total=rows
        )
    content = case_list_workbook(qs, title=title, filter_summary=summary)
    audit_event_record(
        event_type=EventType.EXPORT,
        user=request.user,
        obj=title,
        detail={"filters": summary, "scope": sorted(scope.roles)},
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.xlsx"'
    return response


@login_required
def case_detail(request, pk: int):
    case = selectors.case_file_for_user(request.user, pk)
    deadlines = deadlines_of(case)
    freeze = access.freeze_of(case)
    return render(
        request,
        "cases/casefile_detail.html",
        {
            "case": case,
            "co_handlers": case.co_handlers.all(),
            "penalty_kinds": case.penalty_kinds.all(),
            "attachments": case.attachments.select_related("uploaded_by"),
            "deadlines": deadlines,
            "case_panels": case_panels_for(request.user, case),
            "can_edit": selectors.can_edit_case(request.user, case),
            "freeze": freeze,
            "can_amend": freeze is not None and access.can_amend(request.user, case),
            "amendments": selectors.amendments_of(case),
            "attachment_form": AttachmentForm(),
            "today": timezone.localdate(),
        },
    )


@login_required
def case_create(request):
    scope = scope_for(request.user)
    if not selectors.can_create_case(request.user):
        raise PermissionDenied(_("只有本部门的法制机构人员或执法人员可以登记案卷。"))
    department = Department.objects.get(pk=scope.department_id)
    form = CaseFileForm(request.POST or None, department=department)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_file_create(
                department=department,
                data=form.service_data(),
                co_handlers=list(form.cleaned_data["co_handlers"]),
                penalty_kinds=list(form.cleaned_data["penalty_kinds"]),
                created_by=request.user,
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request, _("案卷 %(n)s 已登记。结案后请在 30 日内移交法制机构自查（REV-5）。") % {"n": case.number}
            )
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/casefile_form.html", {"form": form, "department": department, "case": None})


@login_required
def case_edit(request, pk: int):
    case = selectors.case_file_for_user(request.user, pk, write=True)
    freeze = access.freeze_of(case)
    if freeze is not None:
        # REV-7: a frozen file offers no form; a POST (from a stale page or made directly) is
        # refused here and again by the service. The legal office is shown the amendment.
        return render(
            request,
            "cases/casefile_frozen.html",
            {"case": case, "freeze": freeze, "can_amend": access.can_amend(request.user, case)},
            status=409 if request.method == "POST" else 200,
        )
    form = CaseFileForm(request.POST or None, instance=case, department=case.department)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_file_update(
                case_file=case,
                data=form.service_data(),
                co_handlers=list(form.cleaned_data["co_handlers"]),
                penalty_kinds=list(form.cleaned_data["penalty_kinds"]),
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("案卷已保存。"))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/casefile_form.html", {"form": form, "department": case.department, "case": case})


@login_required
def case_amend(request, pk: int):
    """REV-7: the amendment (更正) of a frozen file by the legal office of its department: the
    case form and a reason. Outside the user's jurisdiction 404; readable but not theirs to
    amend 403; a file that is not frozen is edited instead."""
    case = selectors.case_file_for_user(request.user, pk)
    if not access.can_amend(request.user, case):
        raise PermissionDenied(_("只有本部门法制机构人员或法制机构负责人可以更正定稿的案卷（REV-7）。"))
    freeze = access.freeze_of(case)
    if freeze is None:
        messages.info(request, _("该案卷尚未定稿，可直接编辑，无需更正（REV-7）。"))
        return redirect("cases:edit", pk=case.pk)
    form = CaseFileAmendmentForm(request.POST or None, request.FILES or None, instance=case, department=case.department)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_file_amend(
                case_file=case,
                data=form.service_data(),
                co_handlers=list(form.cleaned_data["co_handlers"]),
                penalty_kinds=list(form.cleaned_data["penalty_kinds"]),
                reason=form.cleaned_data["reason"],
                by=request.user,
                attachment=form.cleaned_data["attachment"],
                attachment_description=form.cleaned_data["attachment_description"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                _("更正已保存，更正前后的内容已存档；自查记录已标记为“案卷在评查后被更正”，请重新评查（REV-7）。"),
            )
            return redirect(reverse("cases:detail", args=[case.pk]) + "#amendments")
    return render(
        request,
        "cases/casefile_amend.html",
        {"form": form, "department": case.department, "case": case, "freeze": freeze},
    )


@login_required
@require_POST
def case_transfer(request, pk: int):
    case = selectors.case_file_for_user(request.user, pk, write=True)
    try:
        services.case_file_transfer_for_review(case_file=case, by_user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已移交法制机构自查（REV-5）。法制机构将在评查队列中看到该案卷。"))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def attachment_upload(request, pk: int):
    case = selectors.case_file_for_user(request.user, pk, write=True)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
        return redirect("cases:detail", pk=case.pk)
    upload = form.cleaned_data["file"]
    try:
        services.case_attachment_add(
            case_file=case, upload=upload, uploaded_by=request.user, description=form.cleaned_data["description"]
        )
    except DomainError as exc:
        # a frozen file takes no new document (REV-7: 409); a file over the limit is 413
        status = error_status(exc, default=413 if upload.size > services.settings.ATTACHMENT_MAX_BYTES else 400)
        return render(request, "cases/attachment_error.html", {"case": case, "error": str(exc)}, status=status)
    messages.success(request, _("附件已上传。"))
    return redirect(reverse("cases:detail", args=[case.pk]) + "#attachments")


@login_required
def attachment_download(request, pk: int):
    attachment = selectors.attachment_for_user(request.user, pk)
    audit_event_record(
        event_type=EventType.DOWNLOAD, user=request.user, obj=attachment, detail={"attachment": attachment.pk}
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def attachment_delete(request, pk: int):
    attachment = selectors.attachment_for_user(request.user, pk, write=True)
    case_pk = attachment.case_file_id
    try:
        services.case_attachment_delete(attachment=attachment)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("cases:detail", args=[case_pk]) + "#attachments")
    messages.success(request, _("附件已删除。"))
    return redirect(reverse("cases:detail", args=[case_pk]) + "#attachments")
