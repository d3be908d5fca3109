"""Annual figures: handler rows (REV-8) and unit rows (REV-4, REV-6, REV-9, REV-15, REV-17),
each in a fixed number of queries; the Excel workbook of both."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import ROUND_DOWN, Decimal
from io import BytesIO

from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

import tolerance.selectors
from cases.models import CaseFile
from xian_enforcement.org.models import Officer
from xian_enforcement.spreadsheets.writer import row_append

from . import assessment, half_year_summaries, scoring
from .choices import Consequence, Grade, RefusalKind, ReviewStatus
from .models import HandlerAssessment, InspectionRefusal, SampledFile, SelfReview
from .selectors import NOT_EXCLUDED, coverage_by_department


def handler_rows(region_id: int, year: int, department_id: int | None = None) -> list[Officer]:
    """Every handler with main cases closed in ``year``: counts, the consequence the REV-8
    thresholds give now, and the recorded assessment. Six queries whatever the size."""
    cases = CaseFile.objects.filter(department__region_id=region_id, closed_on__year=year)
    if department_id:
        cases = cases.filter(department_id=department_id)
    main = dict(cases.values_list("main_handler_id").annotate(n=Count("pk")).values_list("main_handler_id", "n"))
    bad: dict[int, set[int]] = defaultdict(set)
    for officer_id, case_id in SelfReview.objects.filter(
        case_file__in=cases, status=ReviewStatus.LOCKED, grade=Grade.UNQUALIFIED
    ).values_list("case_file__main_handler_id", "case_file_id"):
        bad[officer_id].add(case_id)
    for officer_id, case_id in SampledFile.objects.filter(case_file__in=cases, grade=Grade.UNQUALIFIED).values_list(
        "case_file__main_handler_id", "case_file_id"
    ):
        bad[officer_id].add(case_id)
    all_bad = {c for ids in bad.values() for c in ids}
    tolerated = set(tolerance.selectors.tolerated_case_file_ids(all_bad)) if all_bad else set()
    recorded = {a.officer_id: a for a in HandlerAssessment.objects.filter(year=year, officer_id__in=main)}
    officers = list(
        Officer.objects.filter(pk__in=main).select_related("department").order_by("department__order", "name")
    )
    for o in officers:
        o.main_count = main[o.pk]
        o.tolerated = len(bad[o.pk] & tolerated)
        o.unqualified = len(bad[o.pk] - tolerated)
        o.consequence, o.rule_text = assessment.consequence_for(o.main_count, o.unqualified)
        o.rule_short = assessment.thresholds_for(o.main_count).short  # "主办 25 件，3 档：3/6/9"
        o.consequence_label = Consequence(o.consequence).label
        o.assessment = recorded.get(o.pk)
    officers.sort(key=lambda o: (-o.unqualified, o.department.order if o.department else 0, o.name))
    return officers


def unit_mean(score_sum: Decimal, reviewed: int) -> Decimal | None:
    """REV-15: a unit's mean self-review score, exact (a Decimal quotient, never rounded before
    banding: 89.95 is 合格, not a rounded 90.0 优秀)."""
    return Decimal(score_sum) / reviewed if reviewed else None


def shown_score(mean: Decimal | None) -> Decimal | None:
    """The mean as the page shows it: two decimals, rounded *down*, so the figure shown never
    reaches a band the unit's grade did not (89.95 shows 89.95, 89.999 shows 89.99)."""
    return mean.quantize(Decimal("0.01"), rounding=ROUND_DOWN) if mean is not None else None


def unit_rows(region_id: int, year: int, department_id: int | None = None, today: datetime.date | None = None):
    """REV-4/REV-17 per unit: average self-review score and its grade (REV-15, banded on the
    exact mean), self-review rate (REV-6, ``selectors.coverage_by_department``), half-year
    summaries on time and overdue (REV-9, ``half_year_summaries.summary_standing``), average inspection
    score (REV-11); ``flagged`` when the rate is under 100 %, a summary is overdue or late, or
    the average grade is unqualified, or the bureau recorded that the unit refused or neglected
    an inspection of the year (REV-17). Five queries."""
    today = today or timezone.localdate()
    rows = coverage_by_department(region_id, department_id, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    inspected = dict(
        SampledFile.objects.filter(campaign__year=year, campaign__region_id=region_id, score__isnull=False)
        .values_list("case_file__department_id")
        .annotate(a=Avg("score"))
        .values_list("case_file__department_id", "a")
    )
    standing = half_year_summaries.summary_standing(region_id, department_id, year, (1, 2), today)
    refused: dict[int, list[str]] = defaultdict(list)
    for dept_id, kind in InspectionRefusal.objects.filter(
        campaign__year=year, campaign__region_id=region_id
    ).values_list("department_id", "kind"):
        refused[dept_id].append(str(RefusalKind(kind).label))
    for d in rows:
        mean = unit_mean(d.score_sum, d.reviewed)
        d.avg_score = shown_score(mean)
        d.grade = scoring.grade_for(mean) if mean is not None else ""
        d.grade_label = Grade(d.grade).label if d.grade else ""
        d.inspection_score = round(Decimal(inspected[d.pk]), 1) if d.pk in inspected else None
        s = standing.get(d.pk) or half_year_summaries.Standing()
        d.summaries_due, d.summaries_on_time, d.summaries_overdue = s.due, s.on_time, s.overdue
        reasons = []
        if d.rate is not None and d.rate < 100:
            reasons.append(_("自查率 %(r)s%% 未达 100%%（REV-6）") % {"r": d.rate})
        if s.overdue:
            reasons.append(_("半年总结逾期未报 %(n)s 份（REV-9）") % {"n": s.overdue})
        if s.late:
            reasons.append(_("半年总结逾期报送 %(n)s 份（REV-9）") % {"n": s.late})
        if d.grade == Grade.UNQUALIFIED:
            reasons.append(_("案卷平均得分不合格（REV-15）"))
        if refused[d.pk]:
            reasons.append(
                _("不接受行政执法案卷评查或不积极开展：%(k)s（REV-17）") % {"k": "、".join(sorted(set(refused[d.pk])))}
            )
        d.flag_reasons = reasons
        d.flagged = bool(reasons)
    return rows


def workbook(region_id: int, year: int, department_id: int | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = str(_("执法人员"))
    row_append(ws, [_("%(y)s 年度执法人员评查考核（REV-8）") % {"y": year}])
    ws["A1"].font = Font(bold=True, size=13)
    row_append(
        ws,
        [
            _("单位"),
            _("姓名"),
            _("主办案件"),
            _("不合格案卷"),
            _("容错不计数"),
            _("处理（按规则）"),
            _("已评定"),
            _("适用规则"),
        ],
    )
    for o in handler_rows(region_id, year, department_id):
        row_append(
            ws,
            [
                str(o.department or ""),
                o.name,
                o.main_count,
                o.unqualified,
                o.tolerated,
                str(o.consequence_label),
                str(o.assessment.get_consequence_display()) if o.assessment else "",
                o.rule_text,
            ],
        )
    ws2 = wb.create_sheet(str(_("单位")))
    row_append(ws2, [_("%(y)s 年度单位评查考核（REV-4、REV-17）") % {"y": year}])
    ws2["A1"].font = Font(bold=True, size=13)
    row_append(
        ws2,
        [
            _("单位"),
            _("应自查"),
            _("已自查"),
            _("自查率%"),
            _("平均得分"),
            _("等次"),
            _("抽查平均分"),
            _("半年总结按时"),
            _("未达标"),
        ],
    )
    for d in unit_rows(region_id, year, department_id):
        row_append(
            ws2,
            [
                d.short_name or d.name,
                d.reviewable,
                d.reviewed,
                d.rate,
                float(d.avg_score) if d.avg_score is not None else None,
                str(d.grade_label),
                float(d.inspection_score) if d.inspection_score is not None else None,
                f"{d.summaries_on_time}/{d.summaries_due}",
                "；".join(str(r) for r in d.flag_reasons),
            ],
        )
    for sheet in (ws, ws2):
        for col, width in zip("ABCDEFGHI", (18, 12, 10, 12, 12, 22, 22, 14, 60), strict=True):
            sheet.column_dimensions[col].width = width
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


__all__ = ["NOT_EXCLUDED", "handler_rows", "unit_rows", "workbook"]
