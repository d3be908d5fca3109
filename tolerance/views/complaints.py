"""TOL-19: the complaint register, its outcome, feedback, closing and clarification. The
reporter's identity is shown, searched and exported only for complaint handlers outside the
accused's unit (``selectors.reveals_reporter``)."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xian_enforcement.audit.services import EventType, audit_event_record
from xian_enforcement.audit.unmask import UnmaskForm, identity_unmask
from xian_enforcement.errors import DomainError, form_error, message_error
from xian_enforcement.jobs.views import export_in_background
from xian_enforcement.org.models import Officer
from xian_enforcement.org.scoping import scope_for
from xian_enforcement.spreadsheets.writer import XLSX_CONTENT_TYPE

from .. import access, exports, selectors, services
from ..choices import CLEARED_OUTCOMES, ComplaintOutcome, ComplaintStatus
from ..forms import ClarificationFormForm, ComplaintForm, ConcludeForm, FeedbackForm
from ..models import Decision


def _crumbs(*rest):
    return [(_("容错纠错"), reverse("tolerance:index")), *rest]


def _require_read(user):
    if not access.reads_complaints(user):
        raise PermissionDenied(_("信访举报仅对司法局、县领导和被反映人所在单位负责人开放（TOL-19）。"))


@login_required
def complaint_list(request):
    _require_read(request.user)
    query = request.GET.get("q", "").strip()[:50]
    qs = selectors.complaint_search(selectors.complaints_visible_to(request.user), query)
    page = Paginator(qs.order_by("-received_on", "-id"), 30).get_page(request.GET.get("page"))
    rows = [{"c": c, "reporter": selectors.reveals_reporter(request.user, c)} for c in page]
    return render(
        request,
        "tolerance/complaint_list.html",
        {
            "page": page,
            "rows": rows,
            "query": query,
            "can_register": access.handles_complaints(request.user),
            "crumbs": _crumbs((_("信访举报"), None)),
        },
    )


@login_required
def complaint_export(request):
    """The register as Excel (TOL-19: the reporter's identity for handlers only). The county's
    register, or more than EXPORT_SYNC_MAX_ROWS rows, is a background job, so that it cannot
    starve the web tier, made by ``exports.complaints_job_write`` and audited when it is; a
    unit's own is a direct download."""
    query = request.GET.get("q", "").strip()[:50]
    qs = exports.complaints_for_export(request.user, query)
    rows = qs.count()
    if exports.exports_county(request.user) or rows > settings.EXPORT_SYNC_MAX_ROWS:
        return export_in_background(
            request,
            kind="complaints",
            title=_("信访举报"),
            params={"q": query} if query else {},
            filter_summary=_("关键词：%(q)s") % {"q": query} if query else _("全部"),
            rows_total=rows,
        )
    buffer = io.BytesIO()
    _rows, reveal_any = exports.complaints_workbook(request.user, qs, out=buffer)
    audit_event_record(
        event_type=EventType.EXPORT, user=request.user, obj=_("信访举报"), detail={"q": query, "reporter": reveal_any}
    )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="complaints-{stamp}.xlsx"'
    return response


@login_required
def complaint_create(request):
    if not access.handles_complaints(request.user):
        raise PermissionDenied(_("只有司法局信访举报办理人员可以登记信访举报（TOL-19）。"))
    officers = Officer.objects.filter(
        region_id=scope_for(request.user).region_id, is_enforcement_officer=True, department__isnull=False
    ).select_related("department")
    if scope_for(request.user).officer_id is not None:
        # TOL-19: nobody registers a complaint about themselves.
        officers = officers.exclude(pk=scope_for(request.user).officer_id)
    form = ComplaintForm(request.POST or None, officers=officers.order_by("department__order", "name"))
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_register(
                by_user=request.user, accused=form.cleaned_data["accused"], data=form.service_data()
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("信访举报已登记。"))
            return redirect("tolerance:complaint", complaint.pk)
    return render(
        request,
        "tolerance/complaint_form.html",
        {"form": form, "crumbs": _crumbs((_("信访举报"), reverse("tolerance:complaints")), (_("登记"), None))},
    )


def _detail(request, complaint, *, reporter_revealed: bool = False, status: int = 200, **forms):
    decisions = Decision.objects.filter(
        application__officer_id=complaint.accused_id, outcome__in=["exempt", "mitigated"]
    ).select_related("application")
    return render(
        request,
        "tolerance/complaint_detail.html",
        {
            "c": complaint,
            "reporter": selectors.reveals_reporter(request.user, complaint),
            "reporter_revealed": reporter_revealed,
            "unmask_form": forms.get("unmask") or UnmaskForm(),
            "can_handle": access.can_handle_complaint_about(request.user, complaint.accused_id),
            "conclude_form": forms.get("conclude") or ConcludeForm(decisions=decisions),
            "feedback_form": forms.get("feedback") or FeedbackForm(),
            "clarify_form": forms.get("clarify") or ClarificationFormForm(initial={"on": timezone.localdate()}),
            "clarifications": complaint.accused.clarifications.filter(complaint=complaint),
            "S": ComplaintStatus,
            "cleared": complaint.outcome in CLEARED_OUTCOMES,
            "clearable": complaint.outcome in (ComplaintOutcome.UNTRUE, ComplaintOutcome.UNFOUNDED),
            "crumbs": _crumbs((_("信访举报"), reverse("tolerance:complaints")), (complaint.number, None)),
        },
        status=status,
    )


@login_required
def complaint_detail(request, pk: int):
    return _detail(request, selectors.complaint_for_user(request.user, pk))


@login_required
@require_POST
def complaint_reporter(request, pk: int):
    """Show the reporter's identity to a complaint handler, once, with the reason audited
    (security.md: every view of a protected identity writes one audit row)."""
    complaint = selectors.complaint_for_user(request.user, pk)
    if complaint.anonymous or not selectors.reveals_reporter(request.user, complaint):
        raise PermissionDenied(_("举报人身份仅对信访举报办理人员可见（TOL-19）。"))
    form = UnmaskForm(request.POST)
    if not form.is_valid():
        return _detail(request, complaint, unmask=form, status=400)
    identity_unmask(user=request.user, obj=complaint, field="reporter", reason=form.cleaned_data["reason"])
    response = _detail(request, complaint, reporter_revealed=True)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def complaint_conclude(request, pk: int):
    complaint = selectors.complaint_for_user(request.user, pk, write=True)
    decisions = Decision.objects.filter(application__officer_id=complaint.accused_id)
    form = ConcludeForm(request.POST, decisions=decisions)
    if form.is_valid():
        try:
            services.complaint_conclude(
                complaint=complaint,
                by_user=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["outcome_note"],
                decision=form.cleaned_data["decision"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("查处结果已记录。"))
            return redirect("tolerance:complaint", pk)
    return _detail(request, complaint, conclude=form)


@login_required
@require_POST
def complaint_feedback(request, pk: int):
    complaint = selectors.complaint_for_user(request.user, pk, write=True)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_feedback(
                complaint=complaint,
                by_user=request.user,
                text=form.cleaned_data["text"],
                scope=form.cleaned_data["scope"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("反馈（说明）已记录。"))
            return redirect("tolerance:complaint", pk)
    return _detail(request, complaint, feedback=form)


@login_required
@require_POST
def complaint_close(request, pk: int):
    complaint = selectors.complaint_for_user(request.user, pk, write=True)
    try:
        services.complaint_close(complaint=complaint, by_user=request.user)
    except DomainError as exc:
        message_error(request, exc)
    else:
        messages.success(request, _("信访举报已办结。"))
    return redirect("tolerance:complaint", pk)


@login_required
@require_POST
def clarification_create(request, pk: int):
    complaint = selectors.complaint_for_user(request.user, pk, write=True)
    form = ClarificationFormForm(request.POST)
    if form.is_valid():
        try:
            services.clarification_record(complaint=complaint, by_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("澄清正名已记录，并显示在该执法人员的档案中。"))
            return redirect("tolerance:complaint", pk)
    return _detail(request, complaint, clarify=form)
