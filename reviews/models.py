"""Review room models: checklist templates (REV-13, REV-14), self-review records with their
findings and sign-offs (REV-7, REV-15), and the written notice to the main handler (REV-7)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xian_enforcement.audit.bulk import AuditedManager

from .choices import Grade, ItemKind, ReviewStatus, SignerRole, Stage


class ChecklistTemplate(models.Model):
    """REV-13/REV-14: a versioned checklist for one case category. A version in use is never
    edited: an administrator creates the next version (``checklist_template_new_version``); each
    review keeps the version it used."""

    category = models.ForeignKey(
        "cases.CaseCategory", on_delete=models.PROTECT, related_name="checklists", verbose_name=_("案件类别")
    )
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("名称"), max_length=100)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("评查标准")
        verbose_name_plural = _("评查标准")
        ordering = ["category", "-version"]
        constraints = [models.UniqueConstraint(fields=["category", "version"], name="checklist_unique_version")]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.version} 版）"

    @property
    def total_points(self) -> Decimal:
        return sum((i.points for i in self.items.all() if i.kind == ItemKind.SCORED), Decimal(0))


class ChecklistItem(models.Model):
    """One line of a checklist: a veto item (REV-13, no points) or a scored item of a stage
    (REV-14)."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("类型"), max_length=10, choices=ItemKind.choices)
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, blank=True)
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.CharField(_("评查内容"), max_length=300)
    points = models.DecimalField(
        _("分值"), max_digits=5, decimal_places=1, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )

    objects = AuditedManager()

    class Meta:
        verbose_name = _("评查项目")
        verbose_name_plural = _("评查项目")
        ordering = ["template", "kind", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "kind", "order"], name="checklist_item_order")]

    def __str__(self) -> str:
        return self.text


class SelfReview(models.Model):
    """REV-7: the self-review record (自查记录) of one closed case file by its department's legal
    office. ``status``: draft → submitted → locked (see ``ReviewStatus``); after both sign-offs
    the record is locked and ``digest`` holds the keyed HMAC-SHA256 of its canonical content
    (``services.canonical_content``), also written into the audit chain."""

    case_file = models.OneToOneField(
        "cases.CaseFile", on_delete=models.PROTECT, related_name="self_review", verbose_name=_("案卷")
    )
    # The file's department, copied when the record is made (a file keeps its department): the
    # dashboards count a county's grades from one index range of its departments' records, where
    # through the case file the count hashed every file of the county, growing with the
    # province (performance.md targets 1 and 5).
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("部门"),
        editable=False,
        db_index=False,  # led by selfreview_dept_grade_idx
    )
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer_name = models.CharField(_("评查人"), max_length=50)
    status = models.CharField(_("状态"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    problems_substance = models.TextField(_("实体问题"), blank=True)
    problems_procedure = models.TextField(_("程序问题"), blank=True)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, default=Decimal("100"))
    veto_failed = models.BooleanField(_("一票否决"), default=False)
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices, default=Grade.EXCELLENT)
    year = models.PositiveSmallIntegerField(_("年度"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    digest = models.CharField(_("内容摘要（SHA-256）"), max_length=64, blank=True)
    # REV-7: the case file was amended (更正) after this record was submitted or locked; the
    # legal office reviews it again. Set by ``self_review_flag_case_amended``; not part of the
    # digest (a later note on the record, not what the signatures vouch for).
    case_amended = models.BooleanField(_("案卷在评查后被更正"), default=False)
    case_amended_at = models.DateTimeField(_("案卷更正时间"), null=True, blank=True)
    # The case file as reviewed (``services.SNAPSHOT_FIELDS``), kept at submission; the digest
    # covers it, not the live file.
    case_snapshot = models.JSONField(_("案卷快照"), default=dict, blank=True, editable=False, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("自查记录")
        verbose_name_plural = _("自查记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["year", "grade"], name="selfreview_year_grade_idx"),
            models.Index(fields=["department", "year", "status", "grade"], name="selfreview_dept_grade_idx"),
            models.Index(fields=["status"], name="selfreview_status_idx"),
            # REV-16 library (``selectors.excellent_library``): its order, only the rows it shows,
            # so a page is an ordered index scan instead of a sort of every review joined to
            # every case file (performance.md target 2).
            models.Index(
                fields=["-score", "-locked_at", "-id"],
                name="selfreview_library_idx",
                condition=models.Q(status=ReviewStatus.LOCKED, grade=Grade.EXCELLENT),
            ),
        ]

    def __str__(self) -> str:
        return _("自查记录：%(n)s") % {"n": self.case_file.number}

    def save(self, *args, **kwargs):
        if self.department_id is None and self.case_file_id is not None:
            self.department_id = self.case_file.department_id
        super().save(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.status == ReviewStatus.LOCKED


class SelfReviewRecheck(models.Model):
    """REV-7: the legal office's re-review (重新评查) of a record whose case file was amended
    after the record was submitted or locked: having read the amendments, it confirms in
    writing that the record still stands. Rows are only ever added
    (``reviews.recheck.self_review_recheck``); the record itself — status, score, findings,
    signatures, digest — is not touched, only its "案卷在评查后被更正" mark is cleared.

    One record per file (``SelfReview.case_file`` is one-to-one, and REV-6 coverage, the grade
    counts and the annual assessment join the file to its one record), so the re-review is
    a confirmation kept beside the record, not a second version of it."""

    review = models.ForeignKey(
        SelfReview, on_delete=models.PROTECT, related_name="rechecks", verbose_name=_("自查记录")
    )
    reason = models.TextField(_("重新评查意见"))
    # The amendments (``cases.CaseFileAmendment`` ids) read for this re-review: those made
    # since the previous re-review, oldest first.
    amendment_ids = models.JSONField(_("所依据的更正"), default=list)
    # The record's status when re-reviewed (submitted or locked) and the time of the latest
    # amendment it answers.
    review_status = models.CharField(_("记录状态"), max_length=12, choices=ReviewStatus.choices)
    case_amended_at = models.DateTimeField(_("案卷更正时间"))
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("重新评查人")
    )
    rechecked_by_name = models.CharField(_("重新评查人姓名"), max_length=50)
    rechecked_at = models.DateTimeField(_("重新评查时间"))

    objects = AuditedManager()

    class Meta:
        verbose_name = _("重新评查记录")
        verbose_name_plural = _("重新评查记录")
        ordering = ["review", "-rechecked_at", "-id"]

    def __str__(self) -> str:
        return _("重新评查：%(n)s") % {"n": self.review.case_file.number}


class ReviewFinding(models.Model):
    """One checklist item as judged in a review: a failed veto item, or a deduction with its
    reason (REV-14: the item never goes below zero)."""

    review = models.ForeignKey(SelfReview, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    failed = models.BooleanField(_("否决"), default=False)
    deduction = models.DecimalField(
        _("扣分"), max_digits=5, decimal_places=1, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    reason = models.CharField(_("扣分理由"), max_length=300, blank=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("评查结果项")
        verbose_name_plural = _("评查结果项")
        ordering = ["review", "item__kind", "item__order"]
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="finding_unique_item")]

    def __str__(self) -> str:
        return f"{self.item}: -{self.deduction}"


class ReviewSignature(models.Model):
    """REV-7: a sign-off by the head of the legal office or of the enforcement unit, made by
    that person logged in as themselves."""

    review = models.ForeignKey(SelfReview, on_delete=models.CASCADE, related_name="signatures")
    role = models.CharField(_("签署身份"), max_length=20, choices=SignerRole.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(_("签署人"), max_length=50)
    signed_at = models.DateTimeField(_("签署时间"))

    objects = AuditedManager()

    class Meta:
        verbose_name = _("签署")
        verbose_name_plural = _("签署")
        ordering = ["review", "signed_at"]
        constraints = [
            models.UniqueConstraint(fields=["review", "role"], name="signature_unique_role"),
            models.UniqueConstraint(fields=["review", "user"], name="signature_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.signer_name}"


def notice_path(instance: ReviewNotice, filename: str) -> str:
    return f"reviews/notices/{instance.review.case_file.department_id}/{instance.review_id}.pdf"


class ReviewNotice(models.Model):
    """REV-7: the written notice of the result (评查结果通知书) to the main handler, generated when
    the record locks and delivered to the handler's inbox; delivery and reading recorded."""

    review = models.OneToOneField(SelfReview, on_delete=models.PROTECT, related_name="notice")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recipient_name = models.CharField(_("受文人"), max_length=50)
    # 发文字号 from the unit's per-year sequence (xian_enforcement.documents), allocated when the
    # notice is issued, printed on the PDF; stored, never recomputed.
    document_number = models.CharField(_("文号"), max_length=60, blank=True, editable=False)
    pdf = models.FileField(upload_to=notice_path, max_length=200)
    pdf_sha256 = models.CharField(max_length=64)
    delivered_at = models.DateTimeField(_("送达时间"))
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("评查结果通知书")
        verbose_name_plural = _("评查结果通知书")
        ordering = ["-delivered_at"]

    def __str__(self) -> str:
        return _("评查结果通知书：%(n)s") % {"n": self.review.case_file.number}


from .models_inspection import (  # noqa: E402, F401  (models of this app, split for size)
    HandlerAssessment,
    InspectionCampaign,
    InspectionRefusal,
    ReviewGroupMember,
    SampledFile,
    SampleExclusion,
    SampleStratum,
    SemiAnnualSummary,
)
