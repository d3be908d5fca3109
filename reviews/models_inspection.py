"""Hierarchical inspection (REV-10, REV-11, REV-16) and the annual handler assessment (REV-8).
Imported by ``reviews.models``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import CampaignKind, Consequence, Grade, GroupRole, RefusalKind, SelfReviewQuality


class InspectionCampaign(models.Model):
    """REV-10/REV-11: an inspection by the judicial bureau. The sampling seed is recorded (and
    shown) before the draw: ``seed = sha256(public_value + "|" + seed_date)``; the draw is a
    deterministic function of the seed and the files, so anyone can re-run it."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类型"), max_length=12, choices=CampaignKind.choices, default=CampaignKind.REGULAR)
    title = models.CharField(_("名称"), max_length=100)
    period_start = models.DateField(_("抽查结案日期自"))
    period_end = models.DateField(_("抽查结案日期至"))
    public_value = models.CharField(_("公开随机数来源"), max_length=200)
    seed_date = models.DateField(_("种子日期"))
    seed = models.CharField(_("抽样种子"), max_length=64)
    sample_size = models.PositiveSmallIntegerField(_("每类抽取件数"))
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True)
    # REV-11: the candidates as they stood at the draw ([case id, department id, group, excluded]),
    # and their keyed digest with the seed and size: the draw is re-run from these, so a later
    # legitimate change of a file leaves it verifiable, and a changed list or sample does not.
    candidates = models.JSONField(_("抽样候选"), default=list, blank=True, editable=False)
    candidates_digest = models.CharField(_("候选摘要"), max_length=64, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("层级监督检查")
        verbose_name_plural = _("层级监督检查")
        ordering = ["-year", "-created_at"]

    def __str__(self) -> str:
        return self.title


class ReviewGroupMember(models.Model):
    """REV-16: a member of the campaign's review group; REV-10: seconded staff keep their unit
    and never review its files."""

    campaign = models.ForeignKey(InspectionCampaign, on_delete=models.CASCADE, related_name="members")
    officer = models.ForeignKey("org.Officer", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("职务"), max_length=12, choices=GroupRole.choices)

    class Meta:
        verbose_name = _("评查组成员")
        verbose_name_plural = _("评查组成员")
        ordering = ["campaign", "role", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "officer"], name="groupmember_unique")]

    def __str__(self) -> str:
        return f"{self.officer} ({self.get_role_display()})"


class SampleStratum(models.Model):
    """REV-11: one unit × sampling category of a draw: how many candidates, how many drawn,
    and whether all were taken because there were fewer than the sample size."""

    campaign = models.ForeignKey(InspectionCampaign, on_delete=models.CASCADE, related_name="strata")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("抽查类别"), max_length=30)
    candidates = models.PositiveIntegerField(_("可抽案卷"))
    drawn = models.PositiveIntegerField(_("抽取"))
    excluded = models.PositiveIntegerField(_("排除（REV-12）"), default=0)

    class Meta:
        ordering = ["campaign", "department__order", "department_id", "group"]
        constraints = [models.UniqueConstraint(fields=["campaign", "department", "group"], name="stratum_unique")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.group}: {self.drawn}/{self.candidates}"

    @property
    def all_taken(self) -> bool:
        return self.candidates <= self.drawn


class SampledFile(models.Model):
    """REV-11: a file drawn for inspection, its rank in the draw (by ``key`` =
    sha256(seed:case id)), its reviewer and the inspection's grade of the file and of the
    unit's self-review of it."""

    campaign = models.ForeignKey(InspectionCampaign, on_delete=models.CASCADE, related_name="samples")
    case_file = models.ForeignKey("cases.CaseFile", on_delete=models.PROTECT, related_name="inspections")
    group = models.CharField(_("抽查类别"), max_length=30)
    rank = models.PositiveSmallIntegerField(_("抽取顺位"))
    key = models.CharField(max_length=64)
    reviewer = models.ForeignKey(
        "org.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("评查人")
    )
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    veto_failed = models.BooleanField(_("一票否决"), default=False)
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices, blank=True)
    findings = models.JSONField(_("评查结果"), default=dict, blank=True)
    problems = models.TextField(_("发现的问题"), blank=True)
    self_review_quality = models.CharField(_("自查质量"), max_length=14, choices=SelfReviewQuality.choices, blank=True)
    graded_at = models.DateTimeField(_("评查时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查案卷")
        verbose_name_plural = _("抽查案卷")
        ordering = ["campaign", "case_file__department_id", "group", "rank"]
        constraints = [models.UniqueConstraint(fields=["campaign", "case_file"], name="sample_unique_file")]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.case_file_id}"


class SampleExclusion(models.Model):
    """REV-12: a candidate left out of the draw, with the reason."""

    campaign = models.ForeignKey(InspectionCampaign, on_delete=models.CASCADE, related_name="exclusions")
    case_file = models.ForeignKey("cases.CaseFile", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("排除原因"), max_length=100)

    class Meta:
        ordering = ["campaign", "case_file_id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "case_file"], name="exclusion_unique_file")]

    def __str__(self) -> str:
        return self.reason


class InspectionRefusal(models.Model):
    """REV-17: the bureau's record that a unit refused the inspection or did not cooperate
    (不接受行政执法案卷评查或不积极开展); the unit fails that year's annual target."""

    campaign = models.ForeignKey(InspectionCampaign, on_delete=models.CASCADE, related_name="refusals")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("情形"), max_length=12, choices=RefusalKind.choices)
    note = models.CharField(_("情况说明"), max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("拒绝或不配合检查记录")
        verbose_name_plural = _("拒绝或不配合检查记录")
        ordering = ["campaign", "department_id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "department"], name="refusal_unique_unit")]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.department_id} {self.kind}"


class HandlerAssessment(models.Model):
    """REV-8: a handler's annual assessment from the unqualified files of the year (self-review
    and inspection; TOL-15 tolerated files not counted). ``consequence`` ≥ suspended suspends the
    certificate until ``reassessed_on`` records a passed re-assessment after training."""

    officer = models.ForeignKey("org.Officer", on_delete=models.PROTECT, related_name="review_assessments")
    year = models.PositiveSmallIntegerField(_("年度"))
    main_cases = models.PositiveIntegerField(_("主办案件数"))
    unqualified = models.PositiveIntegerField(_("不合格案卷数"))
    tolerated = models.PositiveIntegerField(_("容错不计数"), default=0)
    tolerated_note = models.CharField(_("不计数说明"), max_length=300, blank=True)
    consequence = models.CharField(_("处理"), max_length=12, choices=Consequence.choices)
    rule_applied = models.CharField(_("适用规则"), max_length=300)
    assessed_at = models.DateTimeField(_("评定时间"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reassessed_on = models.DateField(_("培训后考核合格日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("执法人员年度评查考核")
        verbose_name_plural = _("执法人员年度评查考核")
        ordering = ["-year", "officer"]
        constraints = [models.UniqueConstraint(fields=["officer", "year"], name="assessment_unique_year")]

    def __str__(self) -> str:
        return f"{self.officer} {self.year}"


def summary_path(instance, filename: str) -> str:
    import uuid

    return f"reviews/summaries/{instance.department_id}/{uuid.uuid4().hex}"


class SemiAnnualSummary(models.Model):
    """REV-9: the legal office's written half-year summary to the judicial bureau (text, an
    optional attachment, the period's figures prefilled). Received by the bureau."""

    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="review_summaries")
    year = models.PositiveSmallIntegerField(_("年度"))
    half = models.PositiveSmallIntegerField(_("半年"), choices=[(1, _("上半年")), (2, _("下半年"))])
    text = models.TextField(_("总结"))
    attachment = models.FileField(_("附件"), upload_to=summary_path, max_length=200, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    figures = models.JSONField(_("数据"), default=dict)
    submitted_at = models.DateTimeField(_("报送时间"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField(_("报送期限"))
    received_at = models.DateTimeField(_("司法局接收时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("自查工作半年总结")
        verbose_name_plural = _("自查工作半年总结")
        ordering = ["-year", "-half", "department"]
        constraints = [models.UniqueConstraint(fields=["department", "year", "half"], name="summary_unique_half")]

    def __str__(self) -> str:
        return f"{self.department} {self.year}-H{self.half}"

    @property
    def on_time(self) -> bool:
        """REV-9: submitted by the due date, in local time (01:00 in Beijing is the day before in UTC)."""
        return timezone.localtime(self.submitted_at).date() <= self.due_date
