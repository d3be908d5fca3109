"""Writes of the statistics room: reports (STA-2, STA-3, STA-5.4), their deadlines (STA-2),
certificate-expiry warnings (STA-5.2) and training sessions (STA-5.1)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.errors import DomainError
from xian_enforcement.notices import services as notices
from xian_enforcement.notices.choices import DeadlineStatus
from xian_enforcement.notices.models import Deadline
from xian_enforcement.org.choices import CertificateStatus, DepartmentKind, Role
from xian_enforcement.org.models import Certificate, Department
from xian_enforcement.org.scoping import scope_for

from . import report_layout
from .choices import EDITABLE_STATUSES, Period, ReportStatus, period_range
from .conf import rule
from .models import ReportFigure, StatReport
from .records import recorded_figures, unit_has_power
from .validation import validate_report

STA2_KIND = "sta2_report"
STA52_KIND = "sta52_cert_expiry"
CLERK_ROLES = (Role.LEGAL_OFFICER, Role.LEGAL_HEAD)


# --- who may act -------------------------------------------------------------------------------


def is_clerk(user, report: StatReport) -> bool:
    """The unit's legal office fills in and submits its report (STA-2)."""
    scope = scope_for(user)
    return scope.writes_department and scope.department_id == report.department_id


def is_bureau(user, region_id: int) -> bool:
    """Judicial bureau staff of the county accept and return reports (STA-4)."""
    scope = scope_for(user)
    return scope.has(Role.BUREAU_STAFF) and scope.region_id == region_id


def _require_clerk(user, report: StatReport) -> None:
    if not is_clerk(user, report):
        raise DomainError(_("只有本单位法制机构人员或法制机构负责人可以填报和报送统计报表。"), rule_id="STA-2")


def _require_editable(report: StatReport) -> None:
    if report.status not in EDITABLE_STATUSES:
        raise DomainError(
            _("报表当前状态为“%(status)s”，不能修改。") % {"status": report.get_status_display()}, rule_id="STA-2"
        )


# --- deadlines (STA-2) ---------------------------------------------------------------------------


def due_date(year: int, period: str) -> datetime.date:
    _start, end = period_range(year, period)
    key = "STA_2_HALF_YEAR_DUE_DAYS" if period == Period.HALF_YEAR else "STA_2_YEAR_DUE_DAYS"
    return end + datetime.timedelta(days=rule(key))


def _sync_deadline(report: StatReport) -> None:
    """STA-2: a report owes submission by the due date; submitting meets the deadline, a return
    re-opens it (the unit must resubmit)."""
    _start, end = report.range
    if report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
        notices.deadline_meet(subject=report, kind=STA2_KIND)
        return
    User = get_user_model()
    assignee = (
        User.objects.filter(is_active=True, officer__department_id=report.department_id, groups__name=Role.LEGAL_HEAD)
        .order_by("pk")
        .first()
    )
    deadline = notices.deadline_open(
        subject=report,
        kind=STA2_KIND,
        rule_id="STA-2",
        title=_("报送%(year)s年%(period)s执法统计报表") % {"year": report.year, "period": report.get_period_display()},
        start_date=end,
        days=(due_date(report.year, report.period) - end).days,
        remind_days=list(rule("STA_2_REMIND_DAYS")),
        department=report.department,
        assignee=assignee,
        escalate_roles=[Role.LEGAL_HEAD, Role.LEGAL_OFFICER, Role.UNIT_HEAD],
        url=reverse("statistics:report", args=[report.pk]),
    )
    if deadline.status == DeadlineStatus.MET:  # returned after submission: owed again
        notices.deadline_reopen(subject=report, kind=STA2_KIND)


def report_periods_open(*, today: datetime.date | None = None) -> int:
    """STA-2, periodic: for every enforcement unit, create the report of each period that has
    ended (within ``STA_2_OPEN_WINDOW_DAYS``) and open its submission deadline. Idempotent:
    returns the number of reports created (0 on a second run)."""
    today = today or timezone.localdate()
    window = datetime.timedelta(days=rule("STA_2_OPEN_WINDOW_DAYS"))
    created = 0
    for year in (today.year - 1, today.year):
        for period in Period.values:
            _start, end = period_range(year, period)
            if not (end < today <= end + window):
                continue
            existing = set(StatReport.objects.filter(year=year, period=period).values_list("department_id", flat=True))
            departments = Department.objects.exclude(pk__in=existing).exclude(kind=DepartmentKind.GOVERNMENT)
            for department in departments:
                with transaction.atomic():
                    report, made = StatReport.objects.get_or_create(department=department, year=year, period=period)
                    if made:
                        _sync_deadline(report)
                        created += 1
    return created


# --- the report workflow --------------------------------------------------------------------------


@transaction.atomic
def report_start(*, department: Department, year: int, period: str, by) -> StatReport:
    """STA-2/STA-3: create (or take up) the unit's report for the period and prefill it from the
    records: not_started → draft."""
    if period not in Period.values:
        raise DomainError(_("统计期间无效。"), rule_id="STA-2")
    today = timezone.localdate()
    start, _end = period_range(year, period)
    if start > today:
        raise DomainError(_("该统计期间尚未开始。"), rule_id="STA-2")
    report, _made = StatReport.objects.select_for_update().get_or_create(
        department=department, year=year, period=period
    )
    _require_clerk(by, report)
    if report.status != ReportStatus.NOT_STARTED:
        return report
    _prefill(report, keep_overrides=False)
    report.status = ReportStatus.DRAFT
    report.full_clean()
    report.save()
    _sync_deadline(report)
    return report


def figure_rows(
    report: StatReport, tables: list, recorded: dict, powers: set[str], existing: dict, *, keep_overrides: bool
) -> list[ReportFigure]:
    """The report's figure rows prefilled from ``recorded`` (unsaved changes on ``existing``
    rows, new rows for the rest). Figures the clerk changed with a reason, and clerk-only
    figures, keep their value when ``keep_overrides``."""
    rows = []
    for table in tables:
        has_duty = table.duty_category is None or table.duty_category in powers
        for fig in table.figures:
            row = existing.get(fig.key) or ReportFigure(report=report, key=fig.key)
            if fig.kind == report_layout.TEXT:
                if not (keep_overrides and row.text):
                    row.text = recorded.get(fig.key, "")
            else:
                rec = recorded.get(fig.key) if fig.source else None
                overridden = keep_overrides and row.pk and (row.reason or row.no_duty or not fig.source)
                row.recorded = rec
                if not overridden:
                    row.no_duty = not has_duty
                    row.value = rec if has_duty and fig.source else None
            rows.append(row)
    return rows


def _prefill(report: StatReport, *, keep_overrides: bool) -> None:
    rows = figure_rows(
        report,
        report_layout.tables(),
        recorded_figures(report.department_id, report.year, report.period, timezone.localdate()),
        unit_has_power(report.department_id),
        {f.key: f for f in report.figures.all()},
        keep_overrides=keep_overrides,
    )
    ReportFigure.objects.bulk_create([r for r in rows if r.pk is None])
    changed = [r for r in rows if r.pk is not None]
    if changed:
        ReportFigure.objects.bulk_update(changed, ["recorded", "value", "no_duty", "text"])
    report.prefilled_at = timezone.now()


@transaction.atomic
def report_refresh(*, report: StatReport, by) -> StatReport:
    """STA-3: take the figures from the records again; figures the clerk changed with a reason
    (and the clerk-only figures) are kept, their recorded value updated."""
    report = StatReport.objects.select_for_update().get(pk=report.pk)
    _require_clerk(by, report)
    _require_editable(report)
    _prefill(report, keep_overrides=True)
    if report.status == ReportStatus.NOT_STARTED:
        report.status = ReportStatus.DRAFT
    report.save(update_fields=["status", "prefilled_at", "updated_at"])
    return report


def _parse(raw: str) -> Decimal | None:
    raw = (raw or "").strip().replace(",", "").replace("，", "")
    if raw == "":
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise DomainError(_("“%(raw)s”不是数字。") % {"raw": raw}) from None
    if value < 0 or not value.is_finite():
        raise DomainError(_("数字不能为负数。"))
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def report_figures_save(*, report: StatReport, by, data: dict[str, dict]) -> dict[str, str]:
    """Save the clerk's figures. ``data``: key → {"value", "no_duty", "reason", "text"}.
    A value that differs from the recorded one needs a reason (STA-3); all-or-nothing: any bad
    figure saves nothing and the errors (key → message) are returned."""
    report = StatReport.objects.select_for_update().get(pk=report.pk)
    _require_clerk(by, report)
    _require_editable(report)
    if report.status == ReportStatus.NOT_STARTED:
        raise DomainError(_("请先开始填报，由系统按记录预填后再修改。"), rule_id="STA-3")
    rows = {f.key: f for f in report.figures.all()}
    errors: dict[str, str] = {}
    for key, entry in data.items():
        row = rows.get(key)
        if row is None:
            continue
        try:
            row.no_duty = bool(entry.get("no_duty"))
            row.value = None if row.no_duty else _parse(entry.get("value", ""))
        except DomainError as exc:
            errors[key] = exc.message
            continue
        row.reason = (entry.get("reason") or "").strip()[:300]
        if "text" in entry:
            row.text = (entry.get("text") or "").strip()[:2000]
        if row.recorded is not None and row.value is not None and row.value != row.recorded and not row.reason:
            errors[key] = _("填报数与系统记录数（%(recorded)s）不一致，须说明原因（STA-3）。") % {
                "recorded": row.recorded
            }
    if errors:
        transaction.set_rollback(True)
        return errors
    for row in rows.values():
        row.full_clean(exclude=["report"])
    ReportFigure.objects.bulk_update(list(rows.values()), ["value", "no_duty", "reason", "text"])
    report.save(update_fields=["updated_at"])
    return {}


def report_errors(report: StatReport) -> dict[str, list[str]]:
    """STA-5.4 validation of the report as stored."""
    figures = {f.key: f for f in report.figures.all()}
    return validate_report(report_layout.tables(), figures, unit_has_power(report.department_id))


@transaction.atomic
def report_submit(*, report: StatReport, by) -> StatReport:
    """STA-2/STA-5.4: draft | returned → submitted, only when validation passes; meets the
    submission deadline."""
    report = StatReport.objects.select_for_update().get(pk=report.pk)
    _require_clerk(by, report)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise DomainError(
            _("报表当前状态为“%(status)s”，不能报送。") % {"status": report.get_status_display()}, rule_id="STA-2"
        )
    errors = report_errors(report)
    if errors:
        raise DomainError(
            _("报表有 %(n)s 项未通过校验，请按提示修改后再报送。") % {"n": len(errors)}, rule_id="STA-5.4"
        )
    report.status = ReportStatus.SUBMITTED
    report.submitted_at, report.submitted_by = timezone.now(), by
    report.return_reason = ""
    report.full_clean()
    report.save()
    _sync_deadline(report)
    return report


def _decide(report: StatReport, by, status: str, reason: str = "") -> StatReport:
    report = StatReport.objects.select_for_update().select_related("department").get(pk=report.pk)
    if not is_bureau(by, report.department.region_id):
        raise DomainError(_("只有县司法局工作人员可以审核统计报表。"), rule_id="STA-4")
    if report.status != ReportStatus.SUBMITTED:
        raise DomainError(
            _("报表当前状态为“%(status)s”，只有已报送的报表可以审核。") % {"status": report.get_status_display()},
            rule_id="STA-4",
        )
    report.status, report.decided_at, report.decided_by, report.return_reason = status, timezone.now(), by, reason
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_accept(*, report: StatReport, by) -> StatReport:
    """STA-4: submitted → accepted (the report enters the county aggregate)."""
    return _decide(report, by, ReportStatus.ACCEPTED)


@transaction.atomic
def report_return(*, report: StatReport, by, reason: str) -> StatReport:
    """STA-2: submitted → returned, with a reason; the submission deadline is owed again and
    the submitter is told why."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("退回报表须说明原因。"), rule_id="STA-2", field="reason")
    report = _decide(report, by, ReportStatus.RETURNED, reason[:500])
    _sync_deadline(report)
    if report.submitted_by_id:
        notices.notify(
            recipient=report.submitted_by,
            title=_("%(report)s被退回：%(reason)s") % {"report": report, "reason": reason[:80]},
            body=reason,
            url=reverse("statistics:report", args=[report.pk]),
            rule_id="STA-2",
            dedupe_key=f"sta2-return:{report.pk}:{report.decided_at:%Y%m%d%H%M%S%f}",
        )
    return report


# --- certificate expiry (STA-5.2) -------------------------------------------------------------------


def certificate_expiry_open(*, today: datetime.date | None = None) -> int:
    """STA-5.2, periodic: open a deadline for every active certificate expiring within
    ``CERT_EXPIRY_WARN_DAYS`` (the scan warns the officer on the first day and again later; the
    unit's legal office head is told once); meet it when the officer holds another active
    certificate valid after it, cancel it when the certificate is no longer active. Idempotent:
    returns the number of deadlines opened for the first time."""
    today = today or timezone.localdate()
    warn = rule("CERT_EXPIRY_WARN_DAYS")
    horizon = today + datetime.timedelta(days=warn)
    opened = 0
    known = set(Deadline.objects.filter(kind=STA52_KIND).values_list("object_id", flat=True))
    expiring = Certificate.objects.filter(
        status=CertificateStatus.ACTIVE, valid_to__gte=today, valid_to__lte=horizon
    ).select_related("officer__user", "officer__department")
    User = get_user_model()
    for cert in expiring:
        if cert.pk in known:
            continue
        officer = cert.officer
        title = _("行政执法证 %(number)s（%(name)s）将于 %(day)s 到期，请及时换证") % {
            "number": cert.number,
            "name": officer.name,
            "day": cert.valid_to.isoformat(),
        }
        notices.deadline_open(
            subject=cert,
            kind=STA52_KIND,
            rule_id="STA-5.2",
            title=title,
            start_date=cert.valid_to - datetime.timedelta(days=warn),
            days=warn,
            remind_days=[0, rule("CERT_EXPIRY_SECOND_REMINDER_DAYS")],
            department=officer.department,
            assignee=officer.user,
            escalate_roles=[Role.LEGAL_HEAD],
        )
        for head in User.objects.filter(
            is_active=True, officer__department_id=officer.department_id, groups__name=Role.LEGAL_HEAD
        ):
            notices.notify(
                recipient=head,
                title=title,
                rule_id="STA-5.2",
                dedupe_key=f"sta52-unit:{cert.pk}:{cert.valid_to.isoformat()}:{head.pk}",
            )
        opened += 1
    # Renewed or no longer active: the warning is settled.
    open_ids = list(
        Deadline.objects.filter(kind=STA52_KIND, status=DeadlineStatus.OPEN).values_list("object_id", flat=True)
    )
    for cert in Certificate.objects.filter(pk__in=open_ids):
        if cert.status != CertificateStatus.ACTIVE:
            notices.deadline_cancel(subject=cert, kind=STA52_KIND)
        elif Certificate.objects.filter(
            officer_id=cert.officer_id, status=CertificateStatus.ACTIVE, valid_to__gt=cert.valid_to
        ).exists():
            notices.deadline_meet(subject=cert, kind=STA52_KIND)
    return opened
