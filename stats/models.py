"""Statistics reports (STA-2 … STA-5.4) and training sessions (STA-5.1).

Training lives here rather than in the core (architecture.md suggests the core): the statistics
room is the only one that reads it, and the core is not this room's to change."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from xian_enforcement.audit.bulk import AuditedManager

from .choices import Period, ReportStatus, period_range


class StatReport(models.Model):
    """One unit's statistics report for one period (STA-2).

    Status transitions (``stats.services``):
    not_started → draft (``report_start``: figures prefilled from the records, STA-3);
    draft | returned → submitted (``report_submit``, only when validation passes, STA-5.4);
    submitted → accepted (``report_accept``, bureau) | returned (``report_return``, bureau, reason).
    An accepted report is final.
    """

    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="stat_reports", verbose_name=_("单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    period = models.CharField(_("期间"), max_length=10, choices=Period.choices)
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.NOT_STARTED)
    prefilled_at = models.DateTimeField(_("取数时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("统计报表")
        verbose_name_plural = _("统计报表")
        ordering = ["-year", "period", "department__order", "department_id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "period"], name="statreport_unique_period"),
        ]
        indexes = [models.Index(fields=["year", "period", "status"], name="statreport_period_idx")]

    def __str__(self) -> str:
        return f"{self.department} {self.year}{self.get_period_display()}"

    @property
    def range(self):
        return period_range(self.year, self.period)


class ReportFigure(models.Model):
    """One figure of a report: what the records give (``recorded``), what the unit reports
    (``value``), or "无相关职责" (``no_duty``). A reported value that differs from the recorded one
    needs a ``reason`` (STA-3, STA-5.4); changes are kept in the audit history."""

    report = models.ForeignKey(StatReport, on_delete=models.CASCADE, related_name="figures")
    key = models.CharField(_("指标"), max_length=60)
    recorded = models.DecimalField(_("系统记录数"), max_digits=16, decimal_places=2, null=True, blank=True)
    value = models.DecimalField(
        _("填报数"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    text = models.TextField(_("文字内容"), blank=True)
    no_duty = models.BooleanField(_("无相关职责"), default=False)
    reason = models.CharField(_("差异说明"), max_length=300, blank=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("报表指标")
        verbose_name_plural = _("报表指标")
        ordering = ["report", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="reportfigure_unique_key")]

    def __str__(self) -> str:
        return f"{self.report}: {self.key}"

    @property
    def differs(self) -> bool:
        return self.recorded is not None and self.value is not None and self.value != self.recorded


class TrainingSession(models.Model):
    """A legal training session (STA-5.1): organiser, date, hours, content, attendees from any unit."""

    organiser = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="training_sessions", verbose_name=_("举办单位")
    )
    title = models.CharField(_("培训名称"), max_length=200)
    content = models.TextField(_("培训内容"))
    held_on = models.DateField(_("培训日期"))
    hours = models.DecimalField(
        _("学时"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    attendees = models.ManyToManyField(
        "org.Officer", through="TrainingAttendance", related_name="training_sessions", verbose_name=_("参训人员")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organiser", "held_on"], name="training_org_held_idx")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"

    def clean(self) -> None:
        if self.hours is not None and self.hours > 24:
            raise ValidationError({"hours": _("一次培训的学时不能超过 24。")})


class TrainingAttendance(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendances")
    officer = models.ForeignKey("org.Officer", on_delete=models.PROTECT, related_name="training_attendances")

    class Meta:
        verbose_name = _("参训记录")
        verbose_name_plural = _("参训记录")
        constraints = [models.UniqueConstraint(fields=["session", "officer"], name="attendance_unique")]
        indexes = [models.Index(fields=["officer", "session"], name="attendance_officer_idx")]

    def __str__(self) -> str:
        return f"{self.session}: {self.officer}"


class MonthCounts(models.Model):
    """The counters both summaries keep per category and calendar month (see ``CaseMonthSummary``)."""

    category = models.ForeignKey("cases.CaseCategory", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    filed = models.IntegerField(default=0)
    hearings = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    reviewable_closed = models.IntegerField(default=0)
    transferred = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    decided = models.IntegerField(default=0)
    amount_cents = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class CaseMonthSummary(MonthCounts):
    """Maintained summary of case files per department × category × calendar month (performance.md
    targets 4 and 5): the dashboards aggregate these rows instead of the case table, so their time
    does not grow with the number of case files.

    Each counter is attributed to the month of its own date: ``filed``/``hearings`` to the filing
    month, ``closed``/``reviewable_closed``/``transferred``/``on_time`` to the closing month,
    ``decided``/``amount_cents`` to the decision month. ``reviewable_closed`` counts closed files
    not excluded by REV-12, ``transferred`` those of them transferred for self-review, ``on_time``
    those transferred within ``REV_5_TRANSFER_DAYS`` of closing (REV-5). Amounts are kept in cents
    (exact integer arithmetic on every database).

    Kept correct incrementally by ``stats.case_summaries`` (signals on every case-file save and
    delete, ``UPDATE … SET n = n + delta`` upserts); ``manage.py rebuild_summaries`` recomputes them
    from the case table (after bulk loads or a change of ``REV_5_TRANSFER_DAYS``)."""

    department = models.ForeignKey("org.Department", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("案卷月度汇总")
        verbose_name_plural = _("案卷月度汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "category", "year", "month"], name="casemonthsummary_unique_key"
            ),
        ]
        indexes = [models.Index(fields=["year", "month"], name="casemonthsummary_month_idx")]

    def __str__(self) -> str:
        return f"{self.department_id}/{self.category_id} {self.year}-{self.month:02d}"


class CountyMonthSummary(MonthCounts):
    """The same counters as ``CaseMonthSummary`` one level coarser: per county (the
    department's region) × category × month, for the province dashboard (performance.md: a
    coarse summary, county × type × month, is what keeps province statistics flat). Maintained
    together with ``CaseMonthSummary`` by ``stats.case_summaries``; a department moved to another
    region needs ``rebuild_summaries``."""

    region = models.ForeignKey("org.Region", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("区县月度汇总")
        verbose_name_plural = _("区县月度汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "category", "year", "month"], name="countymonthsummary_unique_key"
            ),
        ]
        indexes = [models.Index(fields=["year", "month"], name="countymonthsummary_month_idx")]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.category_id} {self.year}-{self.month:02d}"
