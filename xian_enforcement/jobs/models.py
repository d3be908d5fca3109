"""A background export: who asked for it, what, how far it has come, and the file made."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ExportKind(models.TextChoices):
    CASES = "cases", _("案卷清单")
    POWER_LIST = "power_list", _("权力清单")
    STATISTICS_COUNTY = "statistics_county", _("全县统计汇总表")
    REVIEW_ASSESSMENT = "review_assessment", _("年度评查考核")
    AUDIT_EVENTS = "audit_events", _("审计事件")
    COMPLAINTS = "complaints", _("信访举报")


class ExportJob(models.Model):
    """One export. The id is a random UUID (it appears in URLs); only ``owner`` may see the
    job or download its file (anyone else gets 404). The file lives under
    ``MEDIA_ROOT/exports/`` with a server-chosen name (the job's id)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    kind = models.CharField(_("类型"), max_length=20, choices=ExportKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    params = models.JSONField(_("筛选参数"), default=dict, blank=True)
    filter_summary = models.CharField(_("筛选条件"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已完成行数"), default=0)
    file = models.FileField(_("文件"), max_length=200, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    audited = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The running task beats as it progresses; the sweeper re-queues a running job whose beat
    # is older than EXPORT_JOB_STALE_SECONDS (its worker died), at most EXPORT_JOB_MAX_ATTEMPTS
    # runs in all. ``attempts`` numbers the runs: a run whose number is no longer the job's was
    # superseded and stops writing.
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    # Failed because its runs kept dying (the sweeper gave up): ``error`` is then a message for
    # the owner; otherwise ``error`` is the exporter's exception, for the administrators only.
    gave_up = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"], name="exportjob_created_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="exportjob_status_beat_idx"),
            models.Index(fields=["owner", "status"], name="exportjob_owner_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(99, 100 * self.rows_done // self.rows_total) if self.rows_total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
