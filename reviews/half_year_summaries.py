"""REV-9 semi-annual self-review summaries: deadlines (15 July / 15 January by default) through
the deadline mechanism, submission with prefilled figures, receipt by the bureau, overdue list."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xian_enforcement.errors import DomainError
from xian_enforcement.notices import services as notices
from xian_enforcement.org.choices import Role
from xian_enforcement.org.models import Department, Region
from xian_enforcement.org.scoping import scope_for
from xian_enforcement.org.selectors import enforcement_departments

from .conf import rule
from .models import SemiAnnualSummary


def half_end(year: int, half: int) -> datetime.date:
    return datetime.date(year, 6, 30) if half == 1 else datetime.date(year, 12, 31)


def due_date(year: int, half: int) -> datetime.date:
    return half_end(year, half) + datetime.timedelta(days=rule("REV_9_DUE_DAYS"))


def last_completed_half(today: datetime.date) -> tuple[int, int]:
    if today > datetime.date(today.year, 6, 30):
        return today.year, 1
    return today.year - 1, 2


def kind(year: int, half: int) -> str:
    return f"rev9_summary_{year}h{half}"


def summary_deadlines_open(*, today: datetime.date | None = None) -> int:
    """Open the REV-9 deadline of the half that ended last, for every enforcement department
    of every county. Idempotent (the daily task runs it)."""
    today = today or timezone.localdate()
    year, half = last_completed_half(today)
    opened = 0
    for region in Region.objects.filter(departments__isnull=False).distinct():
        done = set(
            SemiAnnualSummary.objects.filter(year=year, half=half, department__region=region).values_list(
                "department_id", flat=True
            )
        )
        for dept in enforcement_departments(region.pk).exclude(pk__in=done):
            notices.deadline_open(
                subject=dept,
                kind=kind(year, half),
                rule_id="REV-9",
                title=_("报送%(y)s年%(h)s自查工作总结") % {"y": year, "h": _("上半年") if half == 1 else _("下半年")},
                start_date=half_end(year, half),
                days=rule("REV_9_DUE_DAYS"),
                remind_days=rule("REV_9_REMIND_DAYS"),
                department=dept,
                # The summary is owed by the unit's legal office: its officers and head get every
                # reminder, not only the overdue notice (the deadline has no single assignee).
                remind_roles=[Role.LEGAL_HEAD, Role.LEGAL_OFFICER],
                escalate_roles=[Role.LEGAL_HEAD, Role.LEGAL_OFFICER],
                url=reverse("reviews:summaries"),
            )
            opened += 1
    return opened


def figures(department_id: int, year: int, half: int) -> dict:
    """The period's figures prefilled into the summary: closed, excluded (REV-12), reviewed (from
    ``selectors.coverage_by_department``, the one definition of REV-6) and the grades of locked
    self-reviews."""
    from django.db.models import Count, Q

    from cases.models import CaseFile

    from .choices import Grade, ReviewStatus
    from .selectors import coverage_by_department

    start = datetime.date(year, 1, 1) if half == 1 else datetime.date(year, 7, 1)
    end = half_end(year, half)
    department = Department.objects.only("region_id").get(pk=department_id)
    (cover,) = coverage_by_department(department.region_id, department_id, start, end)
    locked = Q(self_review__status=ReviewStatus.LOCKED)
    row = CaseFile.objects.filter(department_id=department_id, closed_on__gte=start, closed_on__lte=end).aggregate(
        excellent=Count("pk", filter=locked & Q(self_review__grade=Grade.EXCELLENT)),
        qualified=Count("pk", filter=locked & Q(self_review__grade=Grade.QUALIFIED)),
        unqualified=Count("pk", filter=locked & Q(self_review__grade=Grade.UNQUALIFIED)),
    )
    return {"closed": cover.closed, "excluded": cover.excluded, "reviewed": cover.reviewed, **row}


@dataclass
class Standing:
    """REV-9 for one unit over some halves: how many summaries were due by today, how many came
    on time, late, or not at all although due (``overdue``)."""

    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0


# The caption beside every "overdue summaries" figure (one definition).
OVERDUE_DEFINITION = gettext_lazy("逾期半年总结：所选期间内各半年的总结，报送期限已过仍未报送的份数")


def halves_of(period: str) -> tuple[int, ...]:
    """The halves a statistics period covers (``half``: the first; ``year``: both)."""
    return (1,) if period == "half" else (1, 2)


def summary_standing(
    region_id: int, department_id: int | None, year: int, halves: tuple[int, ...], today: datetime.date
) -> dict[int, Standing]:
    """REV-9, THE one definition of overdue and on-time summaries (the summaries page, the annual
    assessment and the statistics dashboard read it): per enforcement unit, for the ``halves`` of
    ``year``. A half is due once its due date has passed (``today`` > due); a due half without a
    summary is overdue. One query (the units come from the caller's list or the second query)."""
    dues = {h: due_date(year, h) for h in halves}
    summaries = SemiAnnualSummary.objects.filter(year=year, half__in=halves, department__region_id=region_id)
    departments = enforcement_departments(region_id)
    if department_id is not None:
        summaries = summaries.filter(department_id=department_id)
        departments = departments.filter(pk=department_id)
    have: dict[int, dict[int, SemiAnnualSummary]] = {}
    for s in summaries.only("department_id", "half", "submitted_at", "due_date"):
        have.setdefault(s.department_id, {})[s.half] = s
    out = {}
    for pk in departments.values_list("pk", flat=True):
        standing = Standing()
        for h, due in dues.items():
            summary = have.get(pk, {}).get(h)
            if summary is not None and not summary.on_time:
                standing.late += 1
            if today > due:  # counted once the due date has passed
                standing.due += 1
                standing.on_time += summary is not None and summary.on_time
                standing.overdue += summary is None
        out[pk] = standing
    return out


@transaction.atomic
def summary_submit(*, by, year: int, half: int, text: str, upload=None) -> SemiAnnualSummary:
    """REV-9: the legal office submits its half-year summary; meets the deadline."""
    scope = scope_for(by)
    if scope.is_read_only or not scope.writes_department:
        raise DomainError(_("半年总结由本部门法制机构报送（REV-9）。"), rule_id="REV-9")
    if not text.strip():
        raise DomainError(_("请填写总结内容（REV-9）。"), rule_id="REV-9")
    if half not in (1, 2) or half_end(year, half) >= timezone.localdate():
        raise DomainError(_("只能报送已经结束的半年的总结。"), rule_id="REV-9")
    department = Department.objects.get(pk=scope.department_id)
    if SemiAnnualSummary.objects.filter(department=department, year=year, half=half).exists():
        raise DomainError(_("本部门该半年的总结已经报送。"), rule_id="REV-9")
    summary = SemiAnnualSummary(
        department=department,
        year=year,
        half=half,
        text=text.strip(),
        figures=figures(department.pk, year, half),
        submitted_at=timezone.now(),
        submitted_by=by,
        due_date=due_date(year, half),
    )
    if upload is not None:
        import filetype

        from cases.services import ALLOWED_ATTACHMENT_TYPES, settings

        if upload.size > settings.ATTACHMENT_MAX_BYTES:
            raise DomainError(_("附件过大。"), rule_id="REV-9")
        guess = filetype.guess(upload.read(8192))
        upload.seek(0)
        if not guess or guess.mime not in ALLOWED_ATTACHMENT_TYPES:
            raise DomainError(_("不支持的附件类型：只接受 PDF、JPEG、PNG、DOCX、XLSX、ZIP。"), rule_id="REV-9")
        summary.attachment_name = upload.name[:200]
        summary.attachment.save(hashlib.sha256(upload.name.encode()).hexdigest()[:12], upload, save=False)
    summary.full_clean()
    summary.save()
    notices.deadline_meet(subject=department, kind=kind(year, half))
    return summary


@transaction.atomic
def summary_mark_received(*, summary: SemiAnnualSummary, by) -> SemiAnnualSummary:
    """REV-9: the bureau marks a summary received."""
    scope = scope_for(by)
    if scope.is_read_only or not scope.has(Role.BUREAU_STAFF) or scope.region_id != summary.department.region_id:
        raise DomainError(_("只有司法局工作人员可以签收半年总结（REV-9）。"), rule_id="REV-9")
    summary = SemiAnnualSummary.objects.select_for_update().get(pk=summary.pk)
    if summary.received_at:
        raise DomainError(_("该总结已签收。"), rule_id="REV-9")
    summary.received_at, summary.received_by = timezone.now(), by
    summary.save(update_fields=["received_at", "received_by"])
    return summary


def summary_status(region_id: int, year: int, half: int, today: datetime.date | None = None) -> list[Department]:
    """Per department: its summary for the half (or None), whether it is overdue and late
    (``summary_standing``). Three queries."""
    today = today or timezone.localdate()
    submitted = {
        s.department_id: s
        for s in SemiAnnualSummary.objects.filter(department__region_id=region_id, year=year, half=half)
    }
    standing = summary_standing(region_id, None, year, (half,), today)
    rows = list(enforcement_departments(region_id).only("id", "name", "short_name", "order").order_by("order", "id"))
    for d in rows:
        d.summary = submitted.get(d.pk)
        d.overdue_count = standing[d.pk].overdue  # the dashboard's figure for this half
        d.overdue = bool(d.overdue_count)
        d.late = bool(standing[d.pk].late)
    return rows
