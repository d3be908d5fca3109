"""The one mechanism for deadlines (architecture.md): deadline rows, scanned by one periodic
task, and stored notifications with sent and read times so that notice can be proven."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import DeadlineStatus, NotificationKind


class Deadline(models.Model):
    """A time limit a rule sets on one object (a closed case file must be transferred, a
    decision must be notified, …).

    ``remind_days`` are offsets from ``start_date`` on which reminders go out; after
    ``due_date`` an overdue notice goes out once. Each step reaches the ``assignee`` and the
    holders of ``remind_roles`` in ``department``; the overdue notice also ``escalate_roles``. ``stage`` counts the notification steps already
    taken; the scan claims a step with a conditional UPDATE on ``stage`` so that two runs never
    notify twice. ``next_action_on`` is the date of the next step (indexed for the scan).

    Status transitions: open → met (the action was done) | cancelled (no longer applies).
    """

    rule_id = models.CharField(_("规则"), max_length=20)
    kind = models.CharField(_("事项类型"), max_length=40)
    title = models.CharField(_("事项"), max_length=200)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    url = models.CharField(_("链接"), max_length=300, blank=True)
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="deadlines"
    )
    escalate_roles = models.JSONField(_("逾期抄送角色"), default=list, blank=True)
    # Roles of ``department`` that receive every step, reminders included (a deadline owed by a
    # unit's office rather than one person, e.g. the REV-9 summary owed by the legal office).
    remind_roles = models.JSONField(_("提醒角色"), default=list, blank=True)
    start_date = models.DateField(_("起算日"))
    due_date = models.DateField(_("截止日"))
    remind_days = models.JSONField(_("提醒日（起算后第N天）"), default=list, blank=True)
    stage = models.PositiveSmallIntegerField(default=0)
    next_action_on = models.DateField(null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN)
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("期限")
        verbose_name_plural = _("期限")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "content_type", "object_id"], name="deadline_unique_per_object"),
        ]
        indexes = [
            models.Index(fields=["status", "next_action_on"], name="deadline_scan_idx"),
            models.Index(fields=["department", "status", "due_date"], name="deadline_dept_idx"),
            models.Index(fields=["assignee", "status", "due_date"], name="deadline_assignee_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.title}"

    def steps(self) -> list[datetime.date]:
        """Dates of each notification step: the reminders, then the day after the due date."""
        reminders = [self.start_date + datetime.timedelta(days=d) for d in sorted(self.remind_days)]
        reminders = [d for d in reminders if d <= self.due_date]
        return [*reminders, self.due_date + datetime.timedelta(days=1)]

    def compute_next_action(self) -> datetime.date | None:
        steps = self.steps()
        return steps[self.stage] if self.stage < len(steps) else None

    def days_left(self, today: datetime.date | None = None) -> int:
        return (self.due_date - (today or timezone.localdate())).days

    @property
    def is_overdue(self) -> bool:
        return self.status == DeadlineStatus.OPEN and self.days_left() < 0

    @property
    def chip_colour(self) -> str:
        """ux.md: green > 7 days, amber ≤ 7, red overdue."""
        left = self.days_left()
        if self.status != DeadlineStatus.OPEN:
            return "secondary"
        if left < 0:
            return "danger"
        if left <= settings.RULES["DUE_SOON_DAYS"]:
            return "warning"
        return "success"


class DeadlineExtension(models.Model):
    """An extension of a deadline, kept in history (TOL-17 and others)."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="extensions")
    old_due_date = models.DateField(_("原截止日"))
    new_due_date = models.DateField(_("新截止日"))
    reason = models.CharField(_("原因"), max_length=300)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("期限延长")
        verbose_name_plural = _("期限延长")
        ordering = ["deadline", "created_at"]

    def __str__(self) -> str:
        return f"{self.deadline}: {self.old_due_date} → {self.new_due_date}"


class Notification(models.Model):
    """A message in a user's inbox (and e-mail). ``dedupe_key`` makes delivery idempotent:
    the same step of the same deadline for the same user is stored once.

    The inbox copy is the record; the e-mail follows it. ``email_pending`` is set when the row
    is stored and cleared once the e-mail went out (``emailed_at``) or after
    ``NOTIFICATION_EMAIL_ATTEMPTS`` failures, so a worker that dies after the commit leaves the
    e-mail to the next delivery run instead of losing it."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=12, choices=NotificationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    rule_id = models.CharField(_("规则"), max_length=20, blank=True)
    deadline = models.ForeignKey(
        Deadline, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    dedupe_key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    email_pending = models.BooleanField(_("邮件待发送"), default=False)
    email_attempts = models.PositiveSmallIntegerField(_("邮件发送尝试次数"), default=0)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["id"], condition=models.Q(email_pending=True), name="notification_email_pending_idx"),
        ]

    def __str__(self) -> str:
        return self.title
