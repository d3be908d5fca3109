"""Reads of the review room, limited to what the user may see.

For now the room's entry page is the self-review transfer queue (REV-5, REV-12): which closed
files wait to be transferred to the legal office, which wait for self-review, and which are
excluded from review. Every function here runs a fixed number of queries whatever the data size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import LitigationState, ReconsiderationState
from cases.models import CaseFile
from cases.services import REV5_KIND
from xian_enforcement.notices.choices import DeadlineStatus
from xian_enforcement.notices.models import Deadline
from xian_enforcement.org.models import Department
from xian_enforcement.org.scoping import Scope, scope_for
from xian_enforcement.org.selectors import enforcement_departments

# REV-12: files under reconsideration or litigation are not reviewed.
EXCLUDED = ~Q(reconsideration=ReconsiderationState.NONE) | ~Q(litigation=LitigationState.NONE)
NOT_EXCLUDED = Q(reconsideration=ReconsiderationState.NONE, litigation=LitigationState.NONE)


@dataclass(frozen=True)
class QueueAccess:
    """Which parts of the queue a user sees. Several can be true (a handler who is also a legal
    officer sees their department's lists and their own files with the transfer button)."""

    county: bool
    department: bool
    handler: bool


def queue_access(user) -> QueueAccess:
    """County roles see the per-department table; department roles their department's lists;
    handlers their own files. Administrators and users without a role are refused (403)."""
    scope = scope_for(user)
    access = QueueAccess(county=scope.is_county_wide, department=scope.reads_department, handler=scope.is_handler)
    if not (access.county or access.department or access.handler):
        raise PermissionDenied(
            _(
                "评查队列（REV-5 结案后 %(days)s 日内移交自查）只对执法人员、本部门法制机构人员和负责人、"
                "执法机构负责人、党组成员，以及司法局、评查组和县领导开放；您的角色无权查看。"
            )
            % {"days": settings.RULES["REV_5_TRANSFER_DAYS"]}
        )
    return access


def _transfer_cutoff(today: datetime.date) -> datetime.date:
    """Files closed before this date are past their REV-5 transfer deadline."""
    return today - datetime.timedelta(days=settings.RULES["REV_5_TRANSFER_DAYS"])


def _rows(qs: QuerySet[CaseFile]) -> QuerySet[CaseFile]:
    return qs.select_related("department", "category", "main_handler").only(
        "id",
        "number",
        "title",
        "year",
        "status",
        "closed_on",
        "transferred_for_review_on",
        "reconsideration",
        "litigation",
        "department__short_name",
        "department__name",
        "category__name",
        "main_handler__name",
    )


def department_files(scope: Scope) -> QuerySet[CaseFile]:
    return CaseFile.objects.filter(department_id=scope.department_id)


def awaiting_self_review(user) -> QuerySet[CaseFile]:
    """REV-5/REV-6: files of the department transferred to the legal office, oldest first.
    Files excluded by REV-12 are listed separately."""
    scope = scope_for(user)
    return _rows(department_files(scope).filter(NOT_EXCLUDED, transferred_for_review_on__isnull=False)).order_by(
        "transferred_for_review_on", "id"
    )


def awaiting_transfer(user) -> QuerySet[CaseFile]:
    """REV-5: closed files of the department not yet transferred, overdue first.

    Every REV-5 deadline is the closing date + REV_5_TRANSFER_DAYS (the rule has no extension),
    so closing-date order is due-date order."""
    scope = scope_for(user)
    return _rows(
        department_files(scope).filter(NOT_EXCLUDED, closed_on__isnull=False, transferred_for_review_on__isnull=True)
    ).order_by("closed_on", "id")


def excluded_from_review(user) -> QuerySet[CaseFile]:
    """REV-12: closed files of the department under reconsideration or litigation."""
    scope = scope_for(user)
    return _rows(department_files(scope).filter(EXCLUDED, closed_on__isnull=False)).order_by("closed_on", "id")


def my_files_awaiting_transfer(user) -> QuerySet[CaseFile]:
    """REV-5: the handler's own closed files (main or co-handler) not yet transferred."""
    scope = scope_for(user)
    co = CaseFile.co_handlers.through.objects.filter(casefile_id=OuterRef("pk"), officer_id=scope.officer_id)
    return _rows(
        CaseFile.objects.filter(Q(main_handler_id=scope.officer_id) | Q(Exists(co))).filter(
            closed_on__isnull=False, transferred_for_review_on__isnull=True
        )
    ).order_by("closed_on", "id")


class _NoExtensions:
    def all(self) -> list:
        return []


@dataclass
class ComputedDeadline:
    """A REV-5 deadline computed from the closing date, for files that have no deadline row (a
    file imported or written before the deadline mechanism). Quacks like ``Deadline`` for the
    deadline chip."""

    rule_id: str
    start_date: datetime.date
    due_date: datetime.date
    status: str = DeadlineStatus.OPEN
    extensions = _NoExtensions()

    def days_left(self, today: datetime.date | None = None) -> int:
        return (self.due_date - (today or timezone.localdate())).days

    @property
    def chip_colour(self) -> str:
        left = self.days_left()
        if left < 0:
            return "danger"
        if left <= settings.RULES["DUE_SOON_DAYS"]:
            return "warning"
        return "success"


def attach_transfer_deadlines(cases: list[CaseFile]) -> list[CaseFile]:
    """Set ``case.deadline`` on each file of a page: its open REV-5 deadline row when it has one
    (two queries: the rows and their extensions), else one computed from the closing date."""
    ids = [c.pk for c in cases]
    rows = {
        d.object_id: d
        for d in Deadline.objects.filter(
            kind=REV5_KIND,
            content_type__app_label=CaseFile._meta.app_label,
            content_type__model=CaseFile._meta.model_name,
            object_id__in=ids,
            status=DeadlineStatus.OPEN,
        ).prefetch_related("extensions")
    }
    days = settings.RULES["REV_5_TRANSFER_DAYS"]
    for case in cases:
        case.deadline = rows.get(case.pk) or ComputedDeadline(
            rule_id="REV-5", start_date=case.closed_on, due_date=case.closed_on + datetime.timedelta(days=days)
        )
    return cases


def county_transfer_table(user, today: datetime.date | None = None) -> list[Department]:
    """REV-5, REV-12 per department of the user's county, worst first: closed files, transferred,
    awaiting transfer, overdue, excluded. One query (conditional counts over a LEFT JOIN).

    Counting the nullable date columns (not ``pk``) lets the database use the case indexes."""
    scope = scope_for(user)
    cutoff = _transfer_cutoff(today or timezone.localdate())
    closed = Q(case_files__closed_on__isnull=False)
    not_excluded = Q(case_files__reconsideration=ReconsiderationState.NONE, case_files__litigation=LitigationState.NONE)
    pending = closed & not_excluded & Q(case_files__transferred_for_review_on__isnull=True)
    qs = (
        enforcement_departments(scope.region_id)
        .annotate(
            closed=Count("case_files__closed_on"),
            transferred=Count("case_files__transferred_for_review_on", filter=closed),
            awaiting=Count("case_files__closed_on", filter=pending),
            overdue=Count("case_files__closed_on", filter=pending & Q(case_files__closed_on__lt=cutoff)),
            excluded=Count("case_files__closed_on", filter=closed & ~not_excluded),
        )
        .only("id", "name", "short_name", "order")
        .order_by("-overdue", "-awaiting", "order", "id")
    )
    return list(qs)


def grade_distribution(user, year: int) -> dict[str, int]:
    """Interface for the statistics dashboard: self-review grades of ``year`` visible to
    ``user``, counted by grade code (excellent / qualified / unqualified). Filled by the
    case-file review issue; empty until then."""
    return {}
