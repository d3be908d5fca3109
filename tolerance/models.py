"""Applications for tolerance (容错免责申请), decisions of the party group, notices, correction
orders, risk warnings, complaints and clarifications (TOL-2 … TOL-19)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from xian_enforcement.audit.bulk import AuditedManager
from xian_enforcement.org.crypto import EncryptedCharField

from .choices import (
    ApplicationStatus,
    ClarificationForm,
    ComplaintOutcome,
    ComplaintStatus,
    CorrectionStatus,
    EnforcementField,
    ErrorCategory,
    ExtensionStatus,
    ItemStatus,
    NoticeRecipientKind,
    Outcome,
    PublicationScope,
)

USER = settings.AUTH_USER_MODEL


class Circumstance(models.Model):
    """Reference data: one item of the catalogue of Art. 10–13 (``tolerance.catalogue``), seeded
    by migration 0002. Applications cite items, decisions accept them, by ``code``."""

    code = models.CharField(_("编号"), max_length=12, unique=True)
    article = models.CharField(_("条款"), max_length=30)
    kind = models.CharField(_("类别"), max_length=20)
    text = models.TextField(_("原文"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("容错情形")
        verbose_name_plural = _("容错情形")
        ordering = ["order"]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Application(models.Model):
    """An application for tolerance (TOL-14b), by the officer or by the unit on their behalf.

    The officer's department owns it (TOL-2). Status transitions (each in ``ApplicationEvent``):
    draft → submitted | withdrawn; submitted → investigating | withdrawn;
    investigating → decided | withdrawn; decided → notified; notified → closed (TOL-16: once the
    correction order, if any, is issued).
    """

    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="tolerance_applications", verbose_name=_("部门")
    )
    officer = models.ForeignKey(
        "org.Officer", on_delete=models.PROTECT, related_name="tolerance_applications", verbose_name=_("当事执法人员")
    )
    filed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人"))
    on_behalf = models.BooleanField(_("单位代为申请"), default=False)
    act = models.TextField(_("行为经过"))
    act_date = models.DateField(_("行为日期"))
    case_files = models.ManyToManyField(
        "cases.CaseFile", blank=True, related_name="tolerance_applications", verbose_name=_("相关案卷")
    )
    error_category = models.CharField(_("差错类别"), max_length=20, choices=ErrorCategory.choices)
    field = models.CharField(_("执法领域"), max_length=20, choices=EnforcementField.choices)
    circumstances = models.ManyToManyField(Circumstance, related_name="applications", verbose_name=_("申请适用的情形"))
    statement = models.TextField(_("申请理由"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    findings = models.TextField(_("调查核实情况"), blank=True)
    investigated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("调查人")
    )
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    # 申请编号, from the unit's per-year sequence when the application is submitted
    # (xian_enforcement.documents); a draft has none. Stored, never recomputed.
    document_number = models.CharField(_("申请编号"), max_length=60, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("容错免责申请")
        verbose_name_plural = _("容错免责申请")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["department", "status"], name="tol_app_dept_status_idx"),
            models.Index(fields=["error_category", "submitted_on"], name="tol_app_category_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.officer.name}"

    @property
    def number(self) -> str:
        """The application number (市场监管局容申〔2026〕3号), given on submission; a draft
        reads 草稿（未编号）, never its database id."""
        if self.document_number:
            return self.document_number
        if self.status == ApplicationStatus.DRAFT:
            return gettext("草稿（未编号）")
        return gettext("未编号")


class ApplicationEvent(models.Model):
    """History of an application: each step, who took it and when."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ApplicationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ApplicationStatus.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status}"


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"tolerance/{instance.application_id}/{instance.sha256[:16]}"


class Evidence(models.Model):
    """An evidence attachment of an application (TOL-3: a decision needs evidence)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Decision(models.Model):
    """The party group's decision (TOL-14a) with the six analysis fields of Art. 14, the
    conditions of Art. 11 (TOL-11.C1–C3), the TOL-13 veto, facts, evidence and legal basis (TOL-3).
    One per application (the unique link makes concurrent decisions yield one)."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="decision")
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    decided_on = models.DateField(_("认定日期"))
    members_present = models.ManyToManyField("org.Officer", related_name="+", verbose_name=_("出席党组成员"))
    facts = models.TextField(_("认定事实"))
    legal_basis = models.TextField(_("认定依据"))
    subjective = models.TextField(_("主观条件"))
    objective = models.TextField(_("客观条件"))
    procedure = models.TextField(_("程序方法"))
    nature = models.TextField(_("性质程度"))
    consequences = models.TextField(_("后果影响"))
    recovery = models.TextField(_("挽回损失情况"))
    accepted = models.ManyToManyField(Circumstance, blank=True, related_name="+", verbose_name=_("认定的情形"))
    c1 = models.BooleanField(_("法律没有明令禁止"), default=False)
    c1_reason = models.TextField(_("理由"), blank=True)
    c2 = models.BooleanField(_("没有造成重大损失和严重不良影响"), default=False)
    c2_reason = models.TextField(_("理由"), blank=True)
    c3 = models.BooleanField(_("积极主动消除不良影响、挽回损失"), default=False)
    c3_reason = models.TextField(_("理由"), blank=True)
    veto = models.BooleanField(_("违反法定的职责范围或法定程序"), default=False)
    veto_reason = models.TextField(_("理由"), blank=True)
    outcome = models.CharField(_("认定结论"), max_length=20, choices=Outcome.choices)
    publication_scope = models.CharField(
        _("公开范围"), max_length=10, choices=PublicationScope.choices, default=PublicationScope.UNIT
    )
    published_on = models.DateField(_("公开日期"), null=True, blank=True)
    notified_on = models.DateField(_("告知日期"), null=True, blank=True)
    # 发文字号 of the decision document, from the unit's per-year sequence when the decision is
    # recorded (xian_enforcement.documents); stored, never recomputed.
    document_number = models.CharField(_("文号"), max_length=60, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("容错认定")
        verbose_name_plural = _("容错认定")
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["publication_scope", "published_on"], name="tol_dec_pub_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.get_outcome_display()}"

    @property
    def number(self) -> str:
        """The document number (市场监管局容认〔2026〕3号), as issued."""
        return self.document_number

    @property
    def tolerated(self) -> bool:
        return self.outcome in (Outcome.EXEMPT, Outcome.MITIGATED)


class DecisionNotice(models.Model):
    """TOL-14c: one notification of a decision to the party or a related unit, with delivery
    and acknowledgement times (proof of "notified on day N")."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="notices")
    recipient_kind = models.CharField(_("对象"), max_length=10, choices=NoticeRecipientKind.choices)
    department = models.ForeignKey("org.Department", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("接收人"))
    channel = models.CharField(_("方式"), max_length=30, default="平台通知")
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认收到时间"), null=True, blank=True)

    objects = AuditedManager()

    class Meta:
        ordering = ["recipient_kind", "id"]
        constraints = [models.UniqueConstraint(fields=["decision", "recipient"], name="tol_notice_once")]

    def __str__(self) -> str:
        return f"{self.decision_id} → {self.recipient_id}"


class CorrectionOrder(models.Model):
    """TOL-16/17: an error-correction order created (draft) with a 免责 or 容错 decision.

    Status transitions: draft → issued (deadline opens) → completed (all items done)."""

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="correction")
    status = models.CharField(
        _("状态"), max_length=12, choices=CorrectionStatus.choices, default=CorrectionStatus.DRAFT
    )
    reasons = models.TextField(_("纠错原因"), blank=True)
    requirements = models.TextField(_("整改要求"), blank=True)
    due_date = models.DateField(_("整改期限"), null=True, blank=True)
    issued_on = models.DateField(_("下达日期"), null=True, blank=True)
    issued_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    # 发文字号 of the order, from the unit's per-year sequence when it is issued; a draft has none.
    document_number = models.CharField(_("文号"), max_length=60, blank=True, editable=False)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("纠错整改通知")
        verbose_name_plural = _("纠错整改通知")

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The order's number (市场监管局纠错〔2026〕1号), given when it is issued; a draft reads
        草稿（未编号）, never its database id."""
        return self.document_number or gettext("草稿（未编号）")


class CorrectionItem(models.Model):
    """One correction item. Status transitions: pending → in_progress → done."""

    order = models.ForeignKey(CorrectionOrder, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("整改事项"), max_length=300)
    status = models.CharField(_("状态"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.PENDING)
    progress = models.TextField(_("整改进展"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedManager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text


class ExtensionRequest(models.Model):
    """TOL-17: the subject asks for more time. Status transitions: pending → approved | refused."""

    order = models.ForeignKey(CorrectionOrder, on_delete=models.CASCADE, related_name="extensions")
    requested_due = models.DateField(_("申请延长至"))
    reason = models.TextField(_("延期理由"))
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    old_due = models.DateField(_("原期限"), null=True, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)

    objects = AuditedManager()

    class Meta:
        ordering = ["requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.requested_due}"


class RiskWarning(models.Model):
    """TOL-18: an error category recurring at or above the threshold, in one department
    (``department`` set) or county-wide (``department`` empty), for the 12 months to ``as_of``."""

    region = models.ForeignKey("org.Region", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    error_category = models.CharField(_("差错类别"), max_length=20, choices=ErrorCategory.choices)
    scope_key = models.CharField(max_length=40)
    period = models.CharField(_("统计期"), max_length=7)  # YYYY-MM of as_of
    as_of = models.DateField(_("截至"))
    count = models.PositiveIntegerField(_("次数"))
    threshold = models.PositiveIntegerField(_("阈值"))
    applications = models.ManyToManyField(Application, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("风险预警")
        verbose_name_plural = _("风险预警")
        ordering = ["-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["error_category", "scope_key", "period"], name="tol_warning_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_error_category_display()} {self.count}"


class Complaint(models.Model):
    """TOL-19: a complaint (信访举报) against an officer. The reporter's identity is encrypted and
    shown only to the complaint handlers (judicial bureau staff), never to the accused's unit.

    Status transitions: open → concluded (outcome recorded) → closed (real-name: feedback to the
    reporter recorded; anonymous: explanation within a scope recorded)."""

    region = models.ForeignKey("org.Region", on_delete=models.PROTECT, related_name="+")
    accused = models.ForeignKey("org.Officer", on_delete=models.PROTECT, related_name="+", verbose_name=_("被反映人"))
    accused_department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("被反映人单位")
    )
    received_on = models.DateField(_("收到日期"))
    channel = models.CharField(_("来源"), max_length=30)
    summary = models.TextField(_("反映内容"))
    anonymous = models.BooleanField(_("匿名"), default=False)
    reporter_name = EncryptedCharField(_("举报人姓名"), blank=True, help_text=_("个人信息，加密存储"))
    reporter_contact = EncryptedCharField(_("举报人联系方式"), blank=True, help_text=_("个人信息，加密存储"))
    status = models.CharField(_("状态"), max_length=12, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN)
    outcome = models.CharField(_("查处结果"), max_length=16, choices=ComplaintOutcome.choices, blank=True)
    outcome_note = models.TextField(_("查处情况"), blank=True)
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("容错认定")
    )
    feedback_on = models.DateField(_("反馈日期"), null=True, blank=True)
    feedback_text = models.TextField(_("向举报人反馈"), blank=True)
    explanation_scope = models.CharField(_("说明范围"), max_length=100, blank=True)
    explanation_text = models.TextField(_("说明内容"), blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("信访举报")
        verbose_name_plural = _("信访举报")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"信访〔{self.received_on.year}〕{self.pk}号"

    @property
    def number(self) -> str:
        return str(self)


class Clarification(models.Model):
    """TOL-19: clearing the name of an officer found maliciously accused."""

    officer = models.ForeignKey("org.Officer", on_delete=models.PROTECT, related_name="clarifications")
    complaint = models.ForeignKey(Complaint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scope = models.CharField(_("澄清范围"), max_length=100)
    form = models.CharField(_("澄清方式"), max_length=12, choices=ClarificationForm.choices)
    on = models.DateField(_("澄清日期"))
    text = models.TextField(_("澄清内容"))
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("澄清正名")
        verbose_name_plural = _("澄清正名")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.officer} {self.on}"
