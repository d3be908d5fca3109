"""Demo data of the statistics room: training sessions with attendees and the units' statistics
reports of the recent periods, for the demo county.

Called by the core's ``seed_demo`` through the dotted path ``stats.demo.build``;
``stats.demo.reset`` deletes what ``build`` made. Sessions and attendances are inserted in bulk;
reports are prefilled from the demo case records by the same code the service uses, so their
figures agree with the records; clerk-only figures get small plausible values and totals equal
their parts. Older periods are accepted; the latest one shows every status.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from xian_enforcement.notices import services as notices

from . import report_layout
from .case_summaries import summary_rebuild
from .choices import Period, ReportStatus
from .models import ReportFigure, StatReport, TrainingAttendance, TrainingSession
from .records import recorded_figures, unit_has_power
from .services import STA2_KIND, _sync_deadline, figure_rows

TOPICS = [
    ("《行政处罚法》专题培训", "新修订《行政处罚法》的主要变化；首违不罚、轻微不罚的适用"),
    ("行政执法“三项制度”培训", "行政执法公示、执法全过程记录、重大执法决定法制审核"),
    ("行政执法证据规则培训", "证据的收集、固定与审查；电子数据取证"),
    ("行政执法文书制作培训", "立案审批表、询问笔录、处罚决定书的规范制作"),
    ("行政复议与行政诉讼应诉培训", "复议、诉讼中的举证责任与常见败诉原因"),
    ("容错纠错机制解读", "隰县容错纠错实施办法的适用条件与程序"),
]


def _periods(today: datetime.date) -> list[tuple[int, str]]:
    periods = [(today.year - 1, Period.HALF_YEAR), (today.year - 1, Period.YEAR)]
    if today.month >= 7:
        periods.append((today.year, Period.HALF_YEAR))
    return periods


def _training(county, rng: random.Random) -> tuple[int, int]:
    organisers = [d for d in county.departments if d.kind == "bureau"] or county.departments[:1]
    everyone = [o.officer_id for officers in county.officers.values() for o in officers]
    sessions = []
    for year in (county.today.year - 1, county.today.year):
        last = county.today if year == county.today.year else datetime.date(year, 12, 31)
        for i in range(10):
            day = datetime.date(year, 1, 1) + datetime.timedelta(
                days=rng.randrange(max((last - datetime.date(year, 1, 1)).days, 1))
            )
            organiser = organisers[0] if i % 3 == 0 else rng.choice(county.departments)
            title, content = TOPICS[(i + year) % len(TOPICS)]
            sessions.append(
                TrainingSession(
                    organiser=organiser,
                    title=title,
                    content=content,
                    held_on=day,
                    hours=Decimal(rng.choice([2, 3, 4, 6])),
                )
            )
    TrainingSession.objects.bulk_create(sessions)
    attendances = []
    for s in sessions:
        pool = (
            everyone if s.organiser in organisers else [o.officer_id for o in county.officers.get(s.organiser.pk, [])]
        )
        for officer_id in rng.sample(pool, min(len(pool), rng.randint(8, 40))):
            attendances.append(TrainingAttendance(session=s, officer_id=officer_id))
    TrainingAttendance.objects.bulk_create(attendances, batch_size=2000)
    return len(sessions), len(attendances)


def _clerk_values(tables, rows: dict, rng: random.Random) -> None:
    """Plausible clerk-only figures; totals equal their parts (STA-5.4)."""
    for table in tables:
        for fig in table.figures:
            row = rows.get(fig.key)
            if row is None or row.no_duty or fig.source or fig.kind == report_layout.TEXT:
                continue
            if fig.is_total:
                row.value = sum((rows[p].value or Decimal(0) for p in fig.parts), Decimal(0))
            elif fig.kind == report_layout.YUAN:
                row.value = Decimal(rng.choice([0, 0, 500, 1200, 3000]))
            else:
                row.value = Decimal(rng.choice([0, 0, 0, 1, 2]))
    applied = rows.get("licence_applied")
    if applied is not None and not applied.no_duty:
        rows["licence_refused"].value = Decimal(0)
        rows["licence_accepted"].value = (rows["licence_granted"].value or Decimal(0)) + rng.randint(0, 3)
        applied.value = rows["licence_accepted"].value + rng.randint(0, 2)


def _reports(county, rng: random.Random) -> tuple[int, int]:
    now = timezone.now()
    tables = report_layout.tables()
    powers = {d.pk: unit_has_power(d.pk) for d in county.departments}
    periods = _periods(county.today)
    made = deadlines = 0
    figures: list[ReportFigure] = []
    for index, (year, period) in enumerate(periods):
        latest = index == len(periods) - 1
        for department in county.departments:
            roll = rng.random()
            if latest and roll < 0.15:
                status = ReportStatus.NOT_STARTED
            elif latest and roll < 0.3:
                status = ReportStatus.DRAFT
            elif latest and roll < 0.5:
                status = ReportStatus.SUBMITTED
            else:
                status = ReportStatus.ACCEPTED
            report = StatReport.objects.create(
                department=department,
                year=year,
                period=period,
                status=status,
                prefilled_at=None if status == ReportStatus.NOT_STARTED else now,
                submitted_at=now if status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED) else None,
                decided_at=now if status == ReportStatus.ACCEPTED else None,
            )
            if status != ReportStatus.NOT_STARTED:
                recorded = recorded_figures(department.pk, year, period, county.today)
                rows = figure_rows(report, tables, recorded, powers[department.pk], {}, keep_overrides=False)
                _clerk_values(tables, {r.key: r for r in rows}, rng)
                figures += rows
            if latest:
                _sync_deadline(report)
                deadlines += 1
            made += 1
    ReportFigure.objects.bulk_create(figures, batch_size=1000)
    return made, deadlines


def build(county, *, cases: int | None = None, rng: random.Random) -> dict[str, int]:
    # The demo case files were inserted in bulk (no signals): summarise them first, since the
    # reports' recorded figures read the summary. The statistics builder runs last
    # (registered with after=…), after every room that writes case files.
    summaries = summary_rebuild([county.government.pk, *(d.pk for d in county.departments)])
    sessions, attendances = _training(county, rng)
    reports, deadlines = _reports(county, rng)
    return {
        "case_summaries": summaries,
        "training_sessions": sessions,
        "training_attendances": attendances,
        "stat_reports": reports,
        "sta2_deadlines": deadlines,
    }


def reset(departments) -> dict[str, int]:
    """Delete what ``build`` made for ``departments``. Figures and attendances were inserted in
    bulk without audit entries, so they are deleted in bulk too (a per-row delete with audit
    signals took minutes)."""
    reports = StatReport.objects.filter(department__in=departments)
    notices.deadlines_delete(model=StatReport, object_ids=reports.values("pk"), kind=STA2_KIND)
    figures = ReportFigure.objects.filter(report__in=reports)
    figures._raw_delete(figures.db)
    sessions = TrainingSession.objects.filter(organiser__in=departments)
    attendances = TrainingAttendance.objects.filter(session__in=sessions)
    attendances._raw_delete(attendances.db)
    # The case room's reset deletes its files after this one (signals decrement the rows); the
    # rows go with the departments (on_delete=CASCADE).
    n_reports = reports._raw_delete(reports.db)
    n_sessions = sessions._raw_delete(sessions.db)
    return {"stat_reports": n_reports, "training_sessions": n_sessions}
