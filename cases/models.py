"""Power lists (权力清单), case files (案卷) and their attachments."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xian_enforcement.audit.bulk import AuditedManager
from xian_enforcement.jobs.models import JobStatus

from .choices import STAGES, CaseStatus, LitigationState, PartyKind, ReconsiderationState


class CaseCategory(models.Model):
    """Reference data: 行政处罚, 行政许可, 行政强制, 行政检查, 行政征收, 行政征用, 行政确认,
    行政给付, 行政裁决, 其他. ``sampling_group`` groups categories for REV-11 sampling
    (行政征收 and 行政征用 are sampled together as 行政征收或征用); blank means not sampled."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    sampling_group = models.CharField(_("抽查类别"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("案件类别")
        verbose_name_plural = _("案件类别")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class PenaltyKind(models.Model):
    """Reference data: the kinds of administrative penalty in the statistics form (STA-5.3),
    ``severity`` in the order listed there (a case counts once, under its heaviest kind)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    severity = models.PositiveSmallIntegerField(_("轻重顺序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("处罚种类")
        verbose_name_plural = _("处罚种类")
        ordering = ["severity", "id"]

    def __str__(self) -> str:
        return self.name


class PowerItem(models.Model):
    """TOL-6: an item of a department's power list (职权事项) with its responsibility: the
    responsible post and the form of liability. Case files reference a power item."""

    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="power_items")
    code = models.CharField(_("职权编码"), max_length=50)
    name = models.CharField(_("职权名称"), max_length=200)
    category = models.ForeignKey(
        CaseCategory, on_delete=models.PROTECT, related_name="power_items", verbose_name=_("职权类别")
    )
    legal_basis = models.TextField(_("设定依据"))
    responsible_post = models.CharField(_("责任岗位"), max_length=100)
    liability_form = models.CharField(_("追责情形及方式"), max_length=300)
    is_active = models.BooleanField(_("有效"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("权力清单事项")
        verbose_name_plural = _("权力清单事项")
        ordering = ["department", "code"]
        constraints = [models.UniqueConstraint(fields=["department", "code"], name="poweritem_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


def _money_field(label):
    return models.DecimalField(
        label, max_digits=14, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))]
    )


class CaseFile(models.Model):
    """A case file (案卷) of one department.

    ``status`` follows the latest stage date that is set (see ``cases.choices.STAGES``); the
    service recomputes it on every write. A closed file (``closed_on``) owes a transfer to the
    legal office within 30 days (REV-5), recorded in ``transferred_for_review_on``.
    """

    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="case_files", verbose_name=_("部门")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.CharField(_("案号"), max_length=60)
    category = models.ForeignKey(
        CaseCategory, on_delete=models.PROTECT, related_name="case_files", verbose_name=_("类别")
    )
    power_item = models.ForeignKey(
        PowerItem,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_files",
        verbose_name=_("职权事项"),
    )
    title = models.CharField(_("案由"), max_length=200)
    party_kind = models.CharField(_("相对人类型"), max_length=20, choices=PartyKind.choices, default=PartyKind.PERSON)
    party_name = models.CharField(_("相对人"), max_length=100, help_text=_("个人信息"))
    main_handler = models.ForeignKey(
        "org.Officer", on_delete=models.PROTECT, related_name="main_cases", verbose_name=_("主办人")
    )
    co_handlers = models.ManyToManyField("org.Officer", related_name="co_cases", blank=True, verbose_name=_("协办人"))

    filed_on = models.DateField(_("立案日期"))
    investigated_on = models.DateField(_("调查终结日期"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    served_on = models.DateField(_("送达日期"), null=True, blank=True)
    executed_on = models.DateField(_("执行日期"), null=True, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    archived_on = models.DateField(_("归档日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.FILED)

    penalty_kinds = models.ManyToManyField(
        PenaltyKind, blank=True, related_name="case_files", verbose_name=_("处罚种类")
    )
    fine_amount = _money_field(_("罚款金额（元）"))
    confiscation_amount = _money_field(_("没收金额（元）"))
    hearing_held = models.BooleanField(_("举行听证"), default=False)
    major_decision = models.BooleanField(_("重大执法决定"), default=False)
    legal_review_by = models.ForeignKey(
        "org.Officer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_reviews",
        verbose_name=_("法制审核人"),
    )
    legal_review_on = models.DateField(_("法制审核日期"), null=True, blank=True)
    full_record_kept = models.BooleanField(_("执法全过程记录"), default=False)
    publicised_on = models.DateField(_("公示日期"), null=True, blank=True)
    publicity_url = models.URLField(_("公示链接"), blank=True)
    transferred_to_police_on = models.DateField(_("移送公安日期"), null=True, blank=True)
    police_organ = models.CharField(_("接收机关"), max_length=100, blank=True)
    police_receipt = models.CharField(_("移送回执"), max_length=100, blank=True)
    reconsideration = models.CharField(
        _("行政复议"), max_length=20, choices=ReconsiderationState.choices, default=ReconsiderationState.NONE
    )
    litigation = models.CharField(
        _("行政诉讼"), max_length=20, choices=LitigationState.choices, default=LitigationState.NONE
    )
    transferred_for_review_on = models.DateField(_("移交自查日期"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("案卷")
        verbose_name_plural = _("案卷")
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "number"], name="casefile_unique_number"),
            models.CheckConstraint(condition=models.Q(fine_amount__gte=0), name="casefile_fine_nonnegative"),
            models.CheckConstraint(
                condition=models.Q(confiscation_amount__gte=0), name="casefile_confiscation_nonnegative"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "-filed_on", "-id"], name="case_dept_filed_idx"),
            models.Index(fields=["-filed_on", "-id"], name="case_filed_idx"),
            models.Index(fields=["department", "category", "closed_on"], name="case_dept_cat_closed_idx"),
            models.Index(fields=["main_handler", "-filed_on"], name="case_handler_idx"),
            models.Index(fields=["status"], name="case_status_idx"),
            # Keyset pagination of the list's other sorts within a department (performance.md
            # target 3; chosen from explain(): without them each sort read and sorted every
            # file of the scope). One (column, id) index serves both directions.
            models.Index(fields=["department", "closed_on", "id"], name="case_dept_closed_idx"),
            models.Index(fields=["department", "number", "id"], name="case_dept_number_idx"),
            models.Index(fields=["department", "fine_amount", "id"], name="case_dept_fine_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def total_amount(self) -> Decimal:
        return (self.fine_amount or Decimal(0)) + (self.confiscation_amount or Decimal(0))

    @property
    def excluded_from_review(self) -> bool:
        """REV-12: files under reconsideration or litigation are not reviewed."""
        return self.reconsideration != ReconsiderationState.NONE or self.litigation != LitigationState.NONE

    def stage_dates(self) -> list[tuple[str, str, object]]:
        return [(name, label, getattr(self, name)) for name, label in STAGES]

    def derived_status(self) -> str:
        status = CaseStatus.FILED
        for (name, _label), value in zip(STAGES, CaseStatus.values, strict=True):
            if getattr(self, name):
                status = value
        return status

    def clean(self) -> None:
        """Rules within one row: stage dates in order; legal review has a date and reviewer."""
        errors: dict[str, str] = {}
        previous_label, previous = None, None
        for name, label in STAGES:
            value = getattr(self, name)
            if value is None:
                continue
            if previous is not None and value < previous:
                errors[name] = _("%(this)s日期不能早于%(prev)s日期（%(date)s）。") % {
                    "this": label,
                    "prev": previous_label,
                    "date": previous.isoformat(),
                }
            previous_label, previous = label, value
        if self.legal_review_on and not self.legal_review_by_id:
            errors["legal_review_by"] = _("填写了法制审核日期，请同时填写审核人。")
        if self.transferred_to_police_on and not self.police_organ:
            errors["police_organ"] = _("移送公安机关须填写接收机关（TOL-9）。")
        # Keyed on closed_on, the field the edit form has: keyed on the transfer date, which no
        # form shows, clearing 结案日期 of a transferred file would be a 500.
        if self.transferred_for_review_on and not self.closed_on:
            errors["closed_on"] = _("该案卷已于 %(day)s 移交法制机构自查，结案日期不能清除（REV-5）。") % {
                "day": self.transferred_for_review_on.isoformat()
            }
        if self.transferred_for_review_on and self.closed_on and self.transferred_for_review_on < self.closed_on:
            errors["closed_on"] = _("结案日期不能晚于移交自查日期（%(day)s）。") % {
                "day": self.transferred_for_review_on.isoformat()
            }
        if errors:
            raise ValidationError(errors)


def attachment_path(instance: CaseAttachment, filename: str) -> str:
    # Server-chosen name: the client's file name is kept only as metadata.
    return f"attachments/{instance.case_file.department_id}/{uuid.uuid4().hex}"


class CaseAttachment(models.Model):
    """A document of a case file. Stored under a server-chosen name; served only through an
    authorising view, as an attachment. ``sha256`` lets a restore drill verify the file."""

    case_file = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("案卷附件")
        verbose_name_plural = _("案卷附件")
        ordering = ["case_file", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class CaseFileAmendment(models.Model):
    """REV-7: an amendment (更正) of a frozen case file (its self-review record submitted or
    locked, or the file archived), made by the department's legal office with a reason. A
    version row: ``changes`` holds every changed field's value before and after
    (``{field: {"label", "before", "after", "before_text", "after_text"}}``; many-to-many fields
    as sorted id lists). Rows are only ever added (``cases.services.case_file_amend``)."""

    case_file = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="amendments", verbose_name=_("案卷"))
    reason = models.TextField(_("更正理由"))
    changes = models.JSONField(_("更正内容"), default=dict)
    frozen_by = models.CharField(_("定稿原因"), max_length=20)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("更正人")
    )
    amended_by_name = models.CharField(_("更正人姓名"), max_length=50)
    amended_at = models.DateTimeField(_("更正时间"))

    objects = AuditedManager()

    class Meta:
        verbose_name = _("案卷更正")
        verbose_name_plural = _("案卷更正")
        ordering = ["case_file", "-amended_at", "-id"]

    def __str__(self) -> str:
        return _("案卷更正：%(n)s") % {"n": self.case_file.number}


class LedgerImportJob(models.Model):
    """A ledger preview or confirmed import that runs in the background (performance.md
    target 12): a file larger than ``IMPORT_SYNC_MAX_BYTES`` is checked and written by a Celery
    worker, never by a web worker. The upload is kept under ``MEDIA_ROOT/imports/<id>.xlsx``
    (server-chosen name) until it is imported or the job is purged; only ``owner`` sees the job
    (anyone else: 404). ``result`` is what the page shows: counts, every row error with its row
    number and column, and the row plans."""

    PREVIEW, IMPORT = "preview", "import"
    ACTIONS = [(PREVIEW, _("预览")), (IMPORT, _("导入"))]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("org.Department", on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("文件名"), max_length=200)
    path = models.CharField(max_length=200)
    action = models.CharField(_("操作"), max_length=10, choices=ACTIONS, default=PREVIEW)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    stage = models.CharField(max_length=12, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # As ``jobs.ExportJob``: the running task beats; ``cases.ledger_jobs_sweep`` (beat, every two
    # minutes) re-queues a running job whose beat is older than EXPORT_JOB_STALE_SECONDS (its
    # worker died), at most EXPORT_JOB_MAX_ATTEMPTS runs in all, then fails it with a message
    # (``gave_up``). ``attempts`` numbers the runs: a superseded run stops and commits nothing.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    gave_up = models.BooleanField(default=False)
    # When it was last queued (upload, confirm, re-queue by the sweeper): the page says so when a
    # job waits long (no worker running, or busy with other jobs).
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("台账导入任务")
        verbose_name_plural = _("台账导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_action_display()}, {self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    def waited_minutes(self) -> int:
        """Whole minutes a pending job has waited for a worker (0 for any other)."""
        if self.status != JobStatus.PENDING or self.queued_at is None:
            return 0
        return int((timezone.now() - self.queued_at).total_seconds() // 60)

    @property
    def percent(self) -> int:
        """Reading the file is the first quarter, checking the rows the next half, writing the
        rest (a preview ends at checking)."""
        if self.status == JobStatus.DONE:
            return 100
        share = self.rows_done / self.rows_total if self.rows_total else 0
        start, width = {"reading": (0, 25), "checking": (25, 35), "validating": (60, 15), "writing": (75, 20)}.get(
            self.stage, (0, 0)
        )
        return min(99, int(start + width * share))
