"""Training sessions (STA-5.1): create a session with its attendees, and import an attendance
sheet (Excel: 姓名, 执法证号), all-or-nothing with row numbers. Attendees come from any unit
of the county."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext as _

from cases.ledger import Column, ImportFileError, read_table, to_text
from xian_enforcement.errors import DomainError
from xian_enforcement.org.choices import Role
from xian_enforcement.org.models import Department, Officer
from xian_enforcement.org.scoping import scope_for

from .dashboard_cache import bump_on_commit
from .models import TrainingAttendance, TrainingSession

ATTENDANCE_COLUMNS = [
    Column("姓名", "name", "text", required=True),
    Column("执法证号", "number", "text"),
    Column("单位", "unit", "text"),
]


def can_organise(user, department: Department) -> bool:
    """A unit's legal office records its own sessions; the bureau records any in its county."""
    scope = scope_for(user)
    if scope.has(Role.BUREAU_STAFF) and scope.region_id == department.region_id:
        return True
    return scope.writes_department and scope.department_id == department.pk


def trainings_visible_to(user) -> QuerySet[TrainingSession]:
    scope = scope_for(user)
    qs = TrainingSession.objects.select_related("organiser").annotate(n=Count("attendances"))
    if scope.is_county_wide:
        return qs.filter(organiser__region_id=scope.region_id)
    if scope.reads_department:
        return qs.filter(
            Q(organiser_id=scope.department_id) | Q(attendances__officer__department_id=scope.department_id)
        ).distinct()
    return qs.none()


@dataclass
class AttendanceError:
    row: int
    message: str


def parse_attendance(content: bytes, region_id: int) -> tuple[list[Officer], list[AttendanceError]]:
    """Match each row to an officer of the county: by certificate number when given, otherwise
    by name (and unit, when several share the name). Raises ImportFileError for the file."""
    table = read_table(content, columns=ATTENDANCE_COLUMNS)
    officers = list(
        Officer.objects.filter(region_id=region_id, is_enforcement_officer=True)
        .select_related("department")
        .prefetch_related("certificates")
    )
    by_number = {c.number: o for o in officers for c in o.certificates.all()}
    by_name: dict[str, list[Officer]] = {}
    for o in officers:
        by_name.setdefault(o.name, []).append(o)
    found, errors, seen = [], [], set()
    for row, record in table.rows:
        name, number, unit = (to_text(record.get(k)).strip() for k in ("姓名", "执法证号", "单位"))
        officer = None
        if number:
            officer = by_number.get(number)
            if officer is None:
                errors.append(AttendanceError(row, _("执法证号“%(n)s”不存在。") % {"n": number}))
                continue
            if name and officer.name != name:
                errors.append(
                    AttendanceError(
                        row,
                        _("执法证号“%(n)s”属于%(o)s，不是%(name)s。") % {"n": number, "o": officer.name, "name": name},
                    )
                )
                continue
        else:
            matches = [
                o for o in by_name.get(name, []) if not unit or unit in (o.department.name, o.department.short_name)
            ]
            if not matches:
                errors.append(AttendanceError(row, _("没有找到执法人员“%(name)s”。") % {"name": name}))
                continue
            if len(matches) > 1:
                errors.append(
                    AttendanceError(row, _("有多名执法人员叫“%(name)s”，请填写执法证号或单位。") % {"name": name})
                )
                continue
            officer = matches[0]
        if officer.pk in seen:
            errors.append(AttendanceError(row, _("%(name)s在表中重复出现。") % {"name": officer.name}))
            continue
        seen.add(officer.pk)
        found.append(officer)
    return found, errors


@transaction.atomic
def training_create(
    *,
    by,
    organiser: Department,
    title: str,
    content: str,
    held_on: datetime.date,
    hours: Decimal,
    attendees: list[Officer] | None = None,
    sheet: bytes | None = None,
) -> TrainingSession:
    """STA-5.1: record a session with attendees chosen and/or imported from an attendance sheet.
    Any bad row refuses the whole sheet (nothing saved); the message names the rows."""
    if not can_organise(by, organiser):
        raise DomainError(_("只有举办单位的法制机构人员或县司法局工作人员可以登记培训。"), rule_id="STA-5.1")
    people = {o.pk: o for o in attendees or []}
    if sheet:
        try:
            imported, errors = parse_attendance(sheet, organiser.region_id)
        except ImportFileError as exc:
            raise DomainError(exc.message, rule_id="STA-5.1", field="sheet") from None
        if errors:
            raise DomainError(
                _("签到表有 %(n)s 行错误，未导入任何记录：%(rows)s")
                % {
                    "n": len(errors),
                    "rows": "；".join(
                        _("第 %(row)s 行：%(msg)s") % {"row": e.row, "msg": e.message} for e in errors[:20]
                    ),
                },
                rule_id="STA-5.1",
                field="sheet",
            )
        people |= {o.pk: o for o in imported}
    foreign = [o.name for o in people.values() if o.region_id != organiser.region_id]
    if foreign:
        raise DomainError(_("以下人员不属于本县：%(names)s") % {"names": "、".join(foreign)}, field="attendees")
    if not people:
        raise DomainError(_("请选择参训人员或上传签到表。"), rule_id="STA-5.1", field="attendees")
    session = TrainingSession(
        organiser=organiser, title=title.strip(), content=content.strip(), held_on=held_on, hours=hours, created_by=by
    )
    session.full_clean()
    session.save()
    TrainingAttendance.objects.bulk_create([TrainingAttendance(session=session, officer=o) for o in people.values()])
    bump_on_commit("statistics")  # the dashboard's training hours
    return session


def officer_hours_by_year(officer_id: int) -> list[dict]:
    """STA-5.1: an officer's training sessions and hours per year, newest first. One query."""
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=8, decimal_places=1))
    return list(
        TrainingAttendance.objects.filter(officer_id=officer_id)
        .annotate(year=ExtractYear("session__held_on"))
        .values("year")
        .annotate(sessions=Count("pk"), hours=Coalesce(Sum("session__hours"), zero))
        .order_by("-year")
    )
