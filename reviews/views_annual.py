"""Half-year summaries (REV-9) and the annual assessment of handlers (REV-8) and units
(REV-4, REV-17), with the Excel export."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xian_enforcement.audit.services import EventType, audit_event_record
from xian_enforcement.errors import DomainError, error_text
from xian_enforcement.org.choices import Role
from xian_enforcement.org.models import Officer
from xian_enforcement.org.scoping import scope_for

from . import annual, assessment, half_year_summaries
from .models import HandlerAssessment, SemiAnnualSummary
from .selectors import COVERAGE_DEFINITION


def _year(request) -> int:
    today = timezone.localdate()
    try:
        return min(max(int(request.GET.get("year", today.year)), 2000), today.year + 1)
    except ValueError:
        return today.year


@login_required
def summary_page(request):
    scope = scope_for(request.user)
    if not (scope.is_county_wide or scope.reads_department):
        raise PermissionDenied(_("半年总结（REV-9）只对法制机构、部门负责人和司法局、县领导开放。"))
    today = timezone.localdate()
    year, half = half_year_summaries.last_completed_half(today)
    # The half shown: the one that ended last (its summary is submitted here), or an earlier
    # one chosen with ?year=&half= (the page's overdue figures are compared with the dashboard's
    # for the same period).
    halves = [(y, h) for y in range(year, year - 5, -1) for h in (2, 1) if (y, h) <= (year, half)]
    try:
        picked = request.GET.get("period", "").split("-")  # the picker's "2025-1"
        if len(picked) == 2:
            shown = (int(picked[0]), int(picked[1]))
        else:
            shown = (int(request.GET.get("year", year)), int(request.GET.get("half", half)))
    except ValueError:
        shown = (year, half)
    if request.method == "POST" or shown not in halves:
        shown = (year, half)
    if request.method == "POST":
        try:
            half_year_summaries.summary_submit(
                by=request.user,
                year=year,
                half=half,
                text=request.POST.get("text", ""),
                upload=request.FILES.get("attachment"),
            )
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("半年总结已报送司法局（REV-9），等待司法局签收。"))
            return redirect("reviews:summaries")
    current = (year, half)
    year, half = shown
    context = {
        "year": year,
        "half": half,
        "halves": halves,
        "is_current": shown == current,
        "due": half_year_summaries.due_date(year, half),
        "today": today,
        "summaries_definition": half_year_summaries.OVERDUE_DEFINITION,
        "coverage_definition": COVERAGE_DEFINITION,
        "crumbs": [(_("评查"), reverse("reviews:index")), (_("半年总结"), None)],
        "can_receive": scope.has(Role.BUREAU_STAFF) and not scope.is_read_only,
    }
    if scope.is_county_wide:
        context["rows"] = half_year_summaries.summary_status(scope.region_id, year, half, today)
    if scope.reads_department:
        mine = SemiAnnualSummary.objects.filter(department_id=scope.department_id).order_by("-year", "-half")
        context["mine"] = list(mine[:10])
        context["submitted"] = any(s.year == year and s.half == half for s in context["mine"])
        context["can_submit"] = scope.writes_department and not scope.is_read_only and shown == current
        context["figures"] = half_year_summaries.figures(scope.department_id, year, half)
    return render(request, "reviews/summaries.html", context)


def _summary_for_user(user, pk: int) -> SemiAnnualSummary:
    scope = scope_for(user)
    summary = SemiAnnualSummary.objects.select_related("department").filter(pk=pk).first()
    if summary is None:
        raise Http404(_("没有找到该总结。"))
    if not (
        (scope.is_county_wide and summary.department.region_id == scope.region_id)
        or (scope.reads_department and summary.department_id == scope.department_id)
    ):
        raise Http404(_("没有找到该总结。"))
    return summary


@login_required
@require_POST
def summary_receive(request, pk: int):
    summary = _summary_for_user(request.user, pk)
    try:
        half_year_summaries.summary_mark_received(summary=summary, by=request.user)
    except DomainError as exc:
        raise PermissionDenied(error_text(exc)) from exc
    messages.success(request, _("已签收 %(d)s 的半年总结。") % {"d": summary.department})
    return redirect("reviews:summaries")


@login_required
def summary_attachment(request, pk: int):
    summary = _summary_for_user(request.user, pk)
    if not summary.attachment:
        raise Http404(_("该总结没有附件。"))
    audit_event_record(event_type=EventType.DOWNLOAD, user=request.user, obj=summary, detail={"summary": summary.pk})
    return FileResponse(
        summary.attachment.open("rb"), as_attachment=True, filename=summary.attachment_name or "summary"
    )


def _assessment_scope(user):
    scope = scope_for(user)
    if scope.is_county_wide:
        return scope, None
    if scope.has(Role.LEGAL_HEAD, Role.PARTY_MEMBER, Role.UNIT_HEAD, Role.LEGAL_OFFICER) and scope.department_id:
        return scope, scope.department_id
    raise PermissionDenied(_("年度评查考核（REV-8、REV-17）只对司法局、县领导和本部门法制机构、负责人开放。"))


@login_required
def assessment_page(request):
    scope, department_id = _assessment_scope(request.user)
    year = _year(request)
    return render(
        request,
        "reviews/assessment.html",
        {
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "handlers": annual.handler_rows(scope.region_id, year, department_id),
            "units": annual.unit_rows(scope.region_id, year, department_id),
            "rule_text": assessment.thresholds_for(0).text,
            "scaled_text": assessment.scaling_text(),
            "can_assess": (scope.has(Role.BUREAU_STAFF) or scope.has(Role.LEGAL_HEAD)) and not scope.is_read_only,
            "coverage_definition": COVERAGE_DEFINITION,
            "summaries_definition": half_year_summaries.OVERDUE_DEFINITION,
            "crumbs": [(_("评查"), reverse("reviews:index")), (_("年度考核"), None)],
        },
    )


@login_required
@require_POST
def assessment_assess(request, officer_pk: int):
    scope, department_id = _assessment_scope(request.user)
    officer = Officer.objects.filter(pk=officer_pk, region_id=scope.region_id).first()
    if officer is None or (department_id and officer.department_id != department_id):
        raise Http404(_("没有找到该执法人员。"))
    year = _year(request)
    try:
        result = assessment.handler_assess(officer=officer, year=year, by=request.user)
    except DomainError as exc:
        raise PermissionDenied(error_text(exc)) from exc
    messages.success(
        request,
        _("已评定 %(n)s %(y)s 年度：%(c)s。") % {"n": officer.name, "y": year, "c": result.get_consequence_display()},
    )
    return redirect(reverse("reviews:assessment") + f"?year={year}")


@login_required
@require_POST
def assessment_reinstate(request, pk: int):
    scope, department_id = _assessment_scope(request.user)
    result = (
        HandlerAssessment.objects.select_related("officer").filter(pk=pk, officer__region_id=scope.region_id).first()
    )
    if result is None or (department_id and result.officer.department_id != department_id):
        raise Http404(_("没有找到该考核。"))
    try:
        assessment.handler_reassessment_pass(assessment=result, by=request.user)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request, _("已记录培训后考核合格，%(n)s 的执法资格已恢复（REV-8）。") % {"n": result.officer.name}
        )
    return redirect(reverse("reviews:assessment") + f"?year={result.year}")


@login_required
def assessment_export(request):
    scope, department_id = _assessment_scope(request.user)
    year = _year(request)
    if department_id is None:
        # County-wide: always a background job (exports never run in a web request); made by
        # reviews.annual_export.assessment_job_write and audited when it is.
        from xian_enforcement.jobs.views import export_in_background

        return export_in_background(
            request,
            kind="review_assessment",
            title=_("%(y)s 年度评查考核（全县）") % {"y": year},
            params={"year": year},
            filter_summary=_("%(y)s 年度") % {"y": year},
        )
    content = annual.workbook(scope.region_id, year, department_id)
    audit_event_record(event_type=EventType.EXPORT, user=request.user, obj=_("年度评查考核"), detail={"year": year})
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="review-assessment-{year}.xlsx"'
    return response
