"""Hierarchical inspection pages (REV-10, REV-11, REV-12, REV-16): campaigns, the review
group, the verifiable draw and its re-run, assignment of reviewers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xian_enforcement.errors import DomainError
from xian_enforcement.org.choices import Role
from xian_enforcement.org.models import Officer
from xian_enforcement.org.scoping import scope_for

from . import sampling
from .forms import CampaignForm, MemberForm
from .models import InspectionCampaign, ReviewGroupMember, SampledFile, SampleExclusion, SampleStratum


def _error(exc: DomainError) -> str:
    return exc.message if not exc.rule_id or exc.rule_id in exc.message else f"{exc.message}（{exc.rule_id}）"


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
                form.add_error(None, _error(exc))
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


@login_required
def campaign_detail(request, pk: int):
    campaign = campaign_for_user(request.user, pk)
    samples = list(
        SampledFile.objects.filter(campaign=campaign)
        .select_related("case_file__department", "case_file__category", "reviewer")
        .order_by("case_file__department__order", "case_file__department_id", "group", "rank")
    )
    members = list(ReviewGroupMember.objects.filter(campaign=campaign).select_related("officer__department"))
    for s in samples:
        s.eligible = [m for m in members if m.officer.department_id != s.case_file.department_id]
    officers = Officer.objects.filter(region_id=campaign.region_id, user__is_active=True).select_related("department")
    return render(
        request,
        "reviews/campaign_detail.html",
        {
            "campaign": campaign,
            "strata": SampleStratum.objects.filter(campaign=campaign).select_related("department"),
            "samples": samples,
            "exclusions": SampleExclusion.objects.filter(campaign=campaign).select_related("case_file__department"),
            "members": members,
            "member_form": MemberForm(officers=officers.order_by("department__order", "name")),
            "can_write": _can_write(request.user),
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
        messages.error(request, _error(exc))
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
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("已加入评查组（REV-16）。"))
    return redirect("reviews:campaign", pk=campaign.pk)


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
            messages.error(request, _error(exc))
        else:
            messages.success(request, _("已分派评查人 %(n)s。") % {"n": reviewer.name})
    return redirect(reverse("reviews:campaign", args=[sample.campaign_id]) + "#samples")
