"""What the platform's own records say for one unit and period (STA-3, STA-5.1, STA-5.2,
STA-5.3): the prefill of a report. A constant number of queries, aggregated in the database.

- 行政处罚 (punishment files decided in the period): a file with several penalties counts once,
  under its heaviest kind (``PenaltyKind.severity``); 罚没金额 = fine + confiscation as decided.
- 案件情况 (punishment files): carried over = filed before the period and not closed before it;
  filed / closed / hearings (of files filed in the period) and 罚没金额 come from
  ``selectors.category_figures``, the dashboard's own definition, read for the 行政处罚 row;
  reconsideration, litigation of files decided in it; transfers to judicial organs (移送)
  dated in it.
- 行政许可: licensing files decided in the period (许可数量).
- 行政检查: inspection files filed in the period with a complete record (one party, one record).
- 执法人员与持证: enforcement officers, and holders of a certificate valid at the period's end
  (or today, while the period runs): ``selectors.certificate_figures``, as on the dashboard.
- 培训: attendances of the unit's officers and their hours; sessions the unit held and their
  attendees; the contents of those sessions.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from cases.choices import LitigationState, ReconsiderationState
from cases.models import CaseFile, PenaltyKind

from .choices import period_range
from .models import TrainingAttendance, TrainingSession
from .report_layout import penalty_key

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=16, decimal_places=2))


def _d(n) -> Decimal:
    return Decimal(n or 0).quantize(Decimal("0.01"))


def recorded_figures(department_id: int, year: int, period: str, today: datetime.date) -> dict:
    """Figures for ``department_id`` in the STA-2 period: key → Decimal (text for the content)."""
    from . import selectors

    start, end = period_range(year, period)
    out: dict = {}
    span = (start, end)
    unit = selectors.unit_scope(department_id)
    punish = CaseFile.objects.filter(department_id=department_id, category__code="punishment")

    heaviest = PenaltyKind.objects.filter(case_files=OuterRef("pk")).order_by("-severity", "-id").values("code")[:1]
    total = Decimal(0)
    for row in (
        punish.filter(decided_on__range=span)
        .annotate(heaviest=Subquery(heaviest))
        .values("heaviest")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if row["heaviest"]:
            out[penalty_key(row["heaviest"])] = _d(row["n"])
            total += row["n"]
    for code in PenaltyKind.objects.filter(is_active=True).values_list("code", flat=True):
        out.setdefault(penalty_key(code), _d(0))
    out["penalty_total"] = _d(total)
    # filed, closed, hearings and 罚没金额 of 行政处罚: the dashboard's category figures.
    punishment = selectors.category_row(selectors.category_figures(unit, year, period), "punishment")
    out["penalty_amount"] = _d(punishment.amount if punishment else 0)
    out["filed"] = _d(punishment.filed if punishment else 0)
    out["closed"] = _d(punishment.closed if punishment else 0)
    out["hearings"] = _d(punishment.hearings if punishment else 0)

    decided = Q(decided_on__range=span)
    columns = punish.aggregate(
        carried_over=Count(
            "filed_on", filter=Q(filed_on__lt=start) & (Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        ),
        reconsidered=Count("filed_on", filter=decided & ~Q(reconsideration=ReconsiderationState.NONE)),
        reconsidered_corrected=Count("filed_on", filter=decided & Q(reconsideration=ReconsiderationState.CORRECTED)),
        litigated=Count("filed_on", filter=decided & ~Q(litigation=LitigationState.NONE)),
        litigation_lost=Count("filed_on", filter=decided & Q(litigation=LitigationState.LOST)),
        transferred_judicial=Count("filed_on", filter=Q(transferred_to_police_on__range=span)),
    )
    out.update({k: _d(v) for k, v in columns.items()})

    others = CaseFile.objects.filter(department_id=department_id).aggregate(
        licence_granted=Count("filed_on", filter=Q(category__code="licensing") & decided),
        inspections=Count(
            "filed_on", filter=Q(category__code="inspection", full_record_kept=True, filed_on__range=span)
        ),
    )
    out.update({k: _d(v) for k, v in others.items()})

    people = selectors.certificate_figures(unit, min(end, today))
    out["officers"], out["holders"] = _d(people["officers"]), _d(people["holders"])

    attended = TrainingAttendance.objects.filter(
        officer__department_id=department_id, session__held_on__range=span
    ).aggregate(trainees=Count("pk"), hours=Coalesce(Sum("session__hours"), ZERO))
    out["trainees"] = _d(attended["trainees"])
    out["training_hours"] = _d(attended["hours"])
    held = list(
        TrainingSession.objects.filter(organiser_id=department_id, held_on__range=span)
        .annotate(n=Count("attendances"))
        .order_by("held_on", "id")
        .values_list("title", "n")
    )
    out["sessions_held"] = _d(len(held))
    out["session_attendees"] = _d(sum(n for _title, n in held))
    out["training_content"] = "；".join(title for title, _n in held)
    return out


def unit_has_power(department_id: int) -> set[str]:
    """Case categories (codes) in which the unit's power list has an active item (STA-5.4)."""
    from cases.models import PowerItem

    return set(
        PowerItem.objects.filter(department_id=department_id, is_active=True)
        .values_list("category__code", flat=True)
        .distinct()
    )
