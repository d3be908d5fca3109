"""Hierarchical inspection pages (REV-10, REV-11, REV-12, REV-16): campaigns, the review
group, the verifiable draw and its re-run, assignment of reviewers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xian_enforcement.errors import DomainError, error_text
from xian_enforcement.org.choices import Role
from xian_enforcement.org.models import Officer
from xian_enforcement.org.scoping import scope_for
from xian_enforcement.org.selectors import enforcement_departments

from . import sampling, scoring, selectors, services
from .forms import CampaignForm, MemberForm, RefusalForm, SampleGradeForm
from .models import (
    InspectionCampaign,
    InspectionRefusal,
    ReviewGroupMember,
    SampledFile,
    SampleExclusion,
)
from .views import _page_url


def _require_county(user):
    scope = scope_for(user)
    if not scope.is_county_wide:
        raise PermissionDenied(_("层级监督检查（REV-10）只对司法局、评查组成员和县领导开放。"))
    return scope


def campaign_for_user(user, pk: int, *, write: bool = False) -> InspectionCampaign:
    """The one fetch helper for campaigns: 404 outside the user's county, 403 when readable but
    not writable (only bureau staff run inspections)."""
    scope = _require_county(user)
    campaign = InspectionCampaign.objects.filter(pk=pk, region_id=scope.region_id).first()
    if campaign is None:
        raise Http404(_("没有找到该检查。"))
    if write and (scope.is_read_only or not scope.has(Role.BUREAU_STAFF)):
        raise PermissionDenied(_("只有司法局工作人员可以组织检查、抽样和分派评查人（REV-10）。"))
    return campaign


def _can_write(user) -> bool:
    scope = scope_for(user)
    return scope.has(Role.BUREAU_STAFF) and not scope.is_read_only


@login_required
def campaign_list(request):
    scope = _require_county(request.user)
    today = timezone.localdate()
    form = CampaignForm(request.POST or None)
    if request.method == "POST":
        if not _can_write(request.user):
            raise PermissionDenied(_("只有司法局工作人员可以组织检查（REV-10）。"))
        if form.is_valid():
            try:
                campaign = sampling.campaign_create(by=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, error_text(exc))
            else:
                messages.success(
                    request, _("检查已创建，抽样种子已记录并公布。下一步：组建评查组并抽取案卷（REV-11）。")
                )
                return redirect("reviews:campaign", pk=campaign.pk)
    campaigns = InspectionCampaign.objects.filter(region_id=scope.region_id).order_by("-year", "-created_at")
    return render(
        request,
        "reviews/campaign_list.html",
        {
            "campaigns": campaigns,
            "form": form,
            "can_write": _can_write(request.user),
            "missing": sampling.inspection_missing(scope.region_id, today),
            "year": today.year,
            "crumbs": [(_("评查"), reverse("reviews:index")), (_("层级监督检查"), None)],
        },
        status=400 if request.method == "POST" else 200,
    )


DRAW_PAGE_SIZE = 50
# The strata table pages by unit (each unit with all its sampling categories, at most four).
STRATA_UNITS_PER_PAGE = 15


def _paged(request, qs, param: str, size: int | None = None):
    # DRAW_PAGE_SIZE is read when called, not bound as a default when the module is imported.
    page = Paginator(qs, size or DRAW_PAGE_SIZE).get_page(request.GET.get(param))
    page.object_list = list(page.object_list)
    page.prev_url = _page_url(request, param, page.previous_page_number()) if page.has_previous() else ""
    page.next_url = _page_url(request, param, page.next_page_number()) if page.has_next() else ""
    return page


@login_required
def campaign_detail(request, pk: int):
    campaign = campaign_for_user(request.user, pk)
    members = list(ReviewGroupMember.objects.filter(campaign=campaign).select_related("officer__department"))
    drawn = {}
    if campaign.drawn_at:
        # A county draws hundreds of files, a province tens of thousands: each list of the
        # draw is paged (performance.md target 1), with its own page parameter.
        # Every unit × category of the power lists, "无可抽案卷" where nothing was drawable.
        units = _paged(request, selectors.campaign_units(campaign), "p_strata", STRATA_UNITS_PER_PAGE)
        units.rows = selectors.campaign_strata(campaign, units.object_list)
        drawn["strata_page"] = units
        drawn["samples_page"] = _paged(
            request,
            SampledFile.objects.filter(campaign=campaign)
            .select_related("case_file__department", "case_file__category", "reviewer")
            .order_by("case_file__department__order", "case_file__department_id", "group", "rank"),
            "p_samples",
        )
        for s in drawn["samples_page"].object_list:
            s.eligible = [m for m in members if m.officer.department_id != s.case_file.department_id]
        drawn["exclusions_page"] = _paged(
            request,
            SampleExclusion.objects.filter(campaign=campaign).select_related("case_file__department"),
            "p_excl",
        )
    officers = Officer.objects.filter(region_id=campaign.region_id, user__is_active=True)
    departments = enforcement_departments(campaign.region_id)
    return render(
        request,
        "reviews/campaign_detail.html",
        {
            "campaign": campaign,
            **drawn,
            "members": members,
            # The two long pickers are plain (pk, label) rows looped in the template: rendering
            # a ModelChoiceField's <select> runs a template per option, one per officer of the
            # county (performance.md target 1). The forms still validate
            # the POST (campaign_member_add, campaign_refusal_add).
            "member_form": MemberForm(officers=officers.none()),
            "officer_choices": list(officers.order_by("department__order", "name").values_list("pk", "name")),
            "refusals": InspectionRefusal.objects.filter(campaign=campaign).select_related("department"),
            "refusal_form": RefusalForm(departments=departments.none()),
            "department_choices": [
                (pk, short or name) for pk, short, name in departments.values_list("pk", "short_name", "name")
            ],
            "can_write": _can_write(request.user),
            "my_officer_id": getattr(getattr(request.user, "officer", None), "pk", None),
            "crumbs": [
                (_("评查"), reverse("reviews:index")),
                (_("层级监督检查"), reverse("reviews:campaigns")),
                (campaign.title, None),
            ],
        },
    )


@login_required
@require_POST
def campaign_draw(request, pk: int):
    campaign = campaign_for_user(request.user, pk, write=True)
    try:
        draw = sampling.campaign_draw(campaign=campaign, by=request.user)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(
            request,
            _("已抽取 %(n)s 件案卷，排除 %(x)s 件（REV-12）。任何人可在“复核抽样”中用同一种子重新抽取。")
            % {"n": len(draw.case_ids()), "x": len(draw.excluded)},
        )
    return redirect("reviews:campaign", pk=campaign.pk)


@login_required
def campaign_verify(request, pk: int):
    """REV-11: re-run the draw from the recorded seed on the page."""
    campaign = campaign_for_user(request.user, pk)
    result = sampling.campaign_verify(campaign)
    seed_ok = sampling.make_seed(campaign.public_value, campaign.seed_date) == campaign.seed
    return render(
        request,
        "reviews/campaign_verify.html",
        {
            "campaign": campaign,
            "result": result,
            "seed_ok": seed_ok,
            "crumbs": [
                (_("评查"), reverse("reviews:index")),
                (_("层级监督检查"), reverse("reviews:campaigns")),
                (campaign.title, reverse("reviews:campaign", args=[campaign.pk])),
                (_("复核抽样"), None),
            ],
        },
    )


@login_required
@require_POST
def campaign_member_add(request, pk: int):
    campaign = campaign_for_user(request.user, pk, write=True)
    officers = Officer.objects.filter(region_id=campaign.region_id)
    form = MemberForm(request.POST, officers=officers)
    if not form.is_valid():
        messages.error(request, _("请选择人员和职务。"))
        return redirect("reviews:campaign", pk=campaign.pk)
    try:
        sampling.campaign_add_member(campaign=campaign, by=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已加入评查组（REV-16）。"))
    return redirect("reviews:campaign", pk=campaign.pk)


@login_required
@require_POST
def campaign_refusal_add(request, pk: int):
    """REV-17: bureau staff record that a unit refused the inspection or did not cooperate."""
    campaign = campaign_for_user(request.user, pk, write=True)
    form = RefusalForm(request.POST, departments=enforcement_departments(campaign.region_id))
    if not form.is_valid():
        messages.error(request, _("请选择单位、情形并写明情况。"))
        return redirect(reverse("reviews:campaign", args=[campaign.pk]) + "#refusals")
    try:
        sampling.campaign_record_refusal(campaign=campaign, by=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("已记录，该单位本年度评查考核为未达标（REV-17）。"))
    return redirect(reverse("reviews:campaign", args=[campaign.pk]) + "#refusals")


@login_required
@require_POST
def sample_assign(request, pk: int):
    sample = SampledFile.objects.filter(pk=pk).select_related("campaign").first()
    if sample is None:
        raise Http404(_("没有找到该抽查案卷。"))
    campaign_for_user(request.user, sample.campaign_id, write=True)
    reviewer = Officer.objects.filter(pk=request.POST.get("reviewer") or 0).first()
    if reviewer is None:
        messages.error(request, _("请选择评查人。"))
    else:
        try:
            sampling.sampled_file_assign(sample=sample, by=request.user, reviewer=reviewer)
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已分派评查人 %(n)s。") % {"n": reviewer.name})
    return redirect(reverse("reviews:campaign", args=[sample.campaign_id]) + "#samples")


def _grade_rows(template, sample: SampledFile, values) -> list[dict]:
    """Checklist rows for the inspection form: each item with the posted or saved values
    (``SampledFile.findings`` = {item id: [failed, deduction, reason]})."""
    rows = []
    for item in template.items.all():
        if values is not None:
            failed = bool(values.get(f"veto_{item.pk}"))
            deduct = values.get(f"deduct_{item.pk}", "")
            reason = values.get(f"reason_{item.pk}", "")
        else:
            saved = sample.findings.get(str(item.pk))
            failed = bool(saved and saved[0])
            deduct = saved[1] if saved and not saved[0] else ""
            reason = saved[2] if saved else ""
        rows.append({"item": item, "failed": failed, "deduct": deduct, "reason": reason})
    return rows


@login_required
def sample_grade(request, pk: int):
    """REV-11: the assigned review-group member grades a sampled file with the self-review
    checklist (REV-13/14/15) and grades the unit's self-review of it. Only the assigned
    reviewer (403 otherwise), never a file of their own unit (REV-10)."""
    from .views_self import _grouped

    sample = (
        SampledFile.objects.filter(pk=pk).select_related("case_file__department", "case_file__main_handler").first()
    )
    if sample is None:
        raise Http404(_("没有找到该抽查案卷。"))
    campaign = campaign_for_user(request.user, sample.campaign_id)
    officer = getattr(request.user, "officer", None)
    if officer is None or sample.reviewer_id != officer.pk or scope_for(request.user).is_read_only:
        raise PermissionDenied(_("只有分派的评查人本人可以评查该案卷（REV-11）。"))
    if officer.department_id == sample.case_file.department_id:
        raise PermissionDenied(_("评查人不能评查本单位的案卷（REV-10）。"))
    template = services.current_template(sample.case_file.category_id)
    if template is None:
        messages.error(request, _("该类别没有评查标准（REV-14）。"))
        return redirect(reverse("reviews:campaign", args=[campaign.pk]) + "#samples")
    data = request.POST if request.method == "POST" else None
    initial = {"self_review_quality": sample.self_review_quality, "problems": sample.problems}
    form = SampleGradeForm(data, initial=initial)
    errors: list[str] = []
    if data is not None:
        findings, errors = services.parse_findings(template, data)
        missing = [f"{i.order}. {i.text}" for i in template.items.all() if i.pk in findings and not findings[i.pk][2]]
        if missing:
            errors.append(_("以下项目扣分或否决须写明理由：%(items)s") % {"items": "；".join(missing)})
        if form.is_valid() and not errors:
            try:
                sampling.sampled_file_grade(
                    sample=sample,
                    by=request.user,
                    findings=findings,
                    problems=form.cleaned_data["problems"],
                    self_review_quality=form.cleaned_data["self_review_quality"],
                )
            except DomainError as exc:
                errors = [error_text(exc)]
            else:
                messages.success(request, _("已保存对 %(n)s 的评查结果（REV-11）。") % {"n": sample.case_file.number})
                return redirect(reverse("reviews:campaign", args=[campaign.pk]) + "#samples")
        if not form.is_valid():
            errors += [str(e) for field_errors in form.errors.values() for e in field_errors]
    rows = _grade_rows(template, sample, data)
    veto, stages = _grouped(rows)
    if data is not None:
        parsed, _errs = services.parse_findings(template, data)
        result = scoring.compute(list(template.items.all()), {k: (f, d) for k, (f, d, _r) in parsed.items()})
    elif sample.grade:
        result = sample
    else:
        result = scoring.compute(list(template.items.all()), {})
    return render(
        request,
        "reviews/sample_grade.html",
        {
            "campaign": campaign,
            "sample": sample,
            "case": sample.case_file,
            "template": template,
            "veto_rows": veto,
            "stages": stages,
            "result": result,
            "form": form,
            "errors": errors,
            "crumbs": [
                (_("评查"), reverse("reviews:index")),
                (_("层级监督检查"), reverse("reviews:campaigns")),
                (campaign.title, reverse("reviews:campaign", args=[campaign.pk])),
                (_("评查抽查案卷"), None),
            ],
        },
        status=400 if errors else 200,
    )
