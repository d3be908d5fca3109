"""Reads of the review room, limited to what the user may see.

For now the room's entry page is the self-review transfer queue (REV-5, REV-12): which closed
files wait to be transferred to the legal office, which wait for self-review, and which are
excluded from review. Every function here runs a fixed number of queries whatever the data size.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.choices import LitigationState, ReconsiderationState
from cases.models import CaseCategory, CaseFile
from cases.selectors import case_files_visible_to, read_filter
from cases.services import REV5_KIND
from xian_enforcement.notices.choices import DeadlineStatus
from xian_enforcement.notices.models import Deadline
from xian_enforcement.org.models import Department, Officer
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
    """The columns the queue's lists show. The category and handler names come as annotations
    (``category_name``, ``handler_name``), not as related instances: two fewer model objects per
    row (performance.md target 1); scalar subqueries, not joins, so that the paginator's COUNT(*)
    drops them. All rows of a list are one department's."""
    return qs.only(
        "id",
        "department_id",
        "number",
        "title",
        "year",
        "status",
        "closed_on",
        "transferred_for_review_on",
        "reconsideration",
        "litigation",
    ).annotate(
        category_name=Subquery(CaseCategory.objects.filter(pk=OuterRef("category_id")).values("name")),
        handler_name=Subquery(Officer.objects.filter(pk=OuterRef("main_handler_id")).values("name")),
    )


def department_files(scope: Scope) -> QuerySet[CaseFile]:
    return CaseFile.objects.filter(department_id=scope.department_id)


def awaiting_self_review(user) -> QuerySet[CaseFile]:
    """REV-5/REV-6/REV-7: files of the department transferred to the legal office whose
    self-review record is not yet locked, oldest first; each row carries ``review_id`` and
    ``review_status`` (None before a record is started). Files excluded by REV-12 are listed
    separately."""
    from .choices import ReviewStatus
    from .models import SelfReview

    scope = scope_for(user)
    # NOT EXISTS (an anti-join), not ``.exclude(self_review__status=...)``: the LEFT JOIN filter
    # made PostgreSQL estimate one row and nest loops over every file of the department
    # (performance.md target 1); with the partial index of migration 0006 the page is an
    # ordered index scan that stops after 50 rows.
    # The record (if any) as scalar subqueries rather than a join: the paginator's COUNT(*)
    # drops unused subquery annotations, but would keep a join.
    record = SelfReview.objects.filter(case_file_id=OuterRef("pk")).order_by()
    locked = record.filter(status=ReviewStatus.LOCKED)
    return (
        _rows(department_files(scope).filter(NOT_EXCLUDED, transferred_for_review_on__isnull=False))
        .filter(~Exists(locked))
        .annotate(
            review_id=Subquery(record.values("pk")[:1]),
            review_status=Subquery(record.values("status")[:1]),
            # REV-7: the legal officer who handled a file does not start its record.
            handled_by_me=ExpressionWrapper(handled_q(scope.officer_id), output_field=BooleanField())
            if scope.officer_id is not None
            else Value(False),
        )
        .order_by("transferred_for_review_on", "id")
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


def count_all(querysets: list[QuerySet], *, cap: int | None = None) -> list[int]:
    """The row count of each queryset, all in ONE statement (``SELECT (SELECT COUNT(*) ...),
    ...``): the queue's lists need their totals for paging, and four COUNT round trips with
    their ORM compilation weighed on the page (performance.md target 1).

    With ``cap``, each count reads at most ``cap + 1`` rows (a result of ``cap + 1`` means "more
    than ``cap``"): an exact count of a department's 10,000 transferred files anti-joined with
    every locked record reads them all, growing with the province's records; the capped count stops early whatever the size (performance.md targets 1 and 6)."""
    from django.db import connection

    if not querysets:
        return []
    sql, params = _count_all_sql(querysets, cap)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [int(n) for n in cursor.fetchone()]


def _count_all_sql(querysets: list, cap: int | None) -> tuple[str, list]:
    from django.core.exceptions import EmptyResultSet

    parts: list[str] = []
    params: list = []
    for i, qs in enumerate(querysets):
        try:
            sql, sql_params = qs.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # ``.none()``: nothing to count
            parts.append("0")
            continue
        limit = f" LIMIT {int(cap) + 1}" if cap is not None else ""
        parts.append(f"(SELECT COUNT(*) FROM ({sql}{limit}) AS counted_{i})")
        params.extend(sql_params)
    return "SELECT " + ", ".join(parts), params


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


def grade_distribution(user, year: int, period: str = "year") -> dict[str, int]:
    """Interface for the statistics dashboard: locked self-review records of ``year`` (the
    closing year of the file; with ``period`` "half", files closed by 30 June) visible to
    ``user``, counted by grade code (excellent / qualified / unqualified; every code present).
    One query: for a county-wide role an index range of its departments' records
    (``selfreview_dept_grade_idx``), not a join through the case files (cases.selectors'
    jurisdiction, read on the record's own department); the half year adds the file's closing
    date."""
    from .choices import Grade, ReviewStatus
    from .models import SelfReview

    scope = scope_for(user)
    visible = read_filter(scope, case_file="case_file_id", main_handler="case_file__main_handler_id")
    if visible is None:
        return dict.fromkeys(Grade.values, 0)
    in_period = Q(case_file__closed_on__lte=datetime.date(year, 6, 30)) if period == "half" else Q()
    rows = (
        SelfReview.objects.filter(visible, in_period, year=year, status=ReviewStatus.LOCKED)
        .values("grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {row["grade"]: row["n"] for row in rows}
    return {g: counts.get(g, 0) for g in Grade.values}


# --- Self-review records (REV-7) -------------------------------------------------------------


HANDLER_MAY_NOT_REVIEW = gettext_lazy(
    "您承办了该案卷（主办或协办），不能自查本人承办的案卷，须由本部门其他法制机构人员自查（REV-7）。"
)


def handled_q(officer_id: int | None, prefix: str = "") -> Q:
    """Files ``officer_id`` handled, as main handler or co-handler (one condition, for lists)."""
    if officer_id is None:
        return Q(pk__in=[])
    co = CaseFile.co_handlers.through.objects.filter(casefile_id=OuterRef(f"{prefix}pk"), officer_id=officer_id)
    return Q(**{f"{prefix}main_handler_id": officer_id}) | Q(Exists(co))


def handled(user, case: CaseFile) -> bool:
    """REV-7: the user handled ``case`` (main handler or co-handler). Nobody reviews, or signs the
    record of, a file they handled: they would vouch for their own work. The co-handlers are read
    once per case instance."""
    officer_id = scope_for(user).officer_id
    if officer_id is None:
        return False
    if case.main_handler_id == officer_id:
        return True
    handlers = getattr(case, "_xian_co_handler_ids", None)
    if handlers is None:
        handlers = frozenset(
            CaseFile.co_handlers.through.objects.filter(casefile_id=case.pk).values_list("officer_id", flat=True)
        )
        case._xian_co_handler_ids = handlers
    return officer_id in handlers


def can_write_review_of(user, case: CaseFile) -> bool:
    """The department's legal office (legal officers and the legal head) fills the record, except
    whoever handled the file (REV-7: a colleague of the legal office reviews it)."""
    scope = scope_for(user)
    return (
        scope.writes_department
        and not scope.is_read_only
        and scope.department_id == case.department_id
        and not handled(user, case)
    )


def review_for_user(user, pk: int, *, write: bool = False):
    """The one helper that fetches a self-review record: 404 when its case file is outside the
    user's jurisdiction, 403 when readable but ``write`` and the user is not the department's
    legal office."""
    from django.http import Http404

    from .models import SelfReview

    review = (
        SelfReview.objects.select_related(
            "case_file__department", "case_file__category", "case_file__main_handler", "template"
        )
        .filter(pk=pk, case_file__in=case_files_visible_to(user))
        .first()
    )
    if review is None:
        raise Http404(_("没有找到该自查记录，或不在您的管辖范围内。"))
    if write and not can_write_review_of(user, review.case_file):
        if handled(user, review.case_file):
            raise PermissionDenied(HANDLER_MAY_NOT_REVIEW)
        raise PermissionDenied(_("您可以查看该自查记录，但只有本部门法制机构人员和法制机构负责人可以填写（REV-7）。"))
    return review


def reviews_of_case(user, case: CaseFile) -> dict:
    """REV-7: the record and the notice kept with the case file (for the case file page)."""
    from .models import SelfReview

    review = (
        SelfReview.objects.filter(case_file_id=case.pk, case_file__in=case_files_visible_to(user))
        .select_related("notice")
        .first()
    )
    return {"review": review, "notice": getattr(review, "notice", None) if review else None}


@dataclass
class CoverageRow:
    """One unit's self-review coverage (REV-6, REV-12) for a period: closed files, those
    excluded by REV-12, reviewable (closed − excluded), self-reviewed (a locked record), the
    rate (%) and the sum of the locked records' scores (REV-15's unit mean)."""

    pk: int
    name: str
    short_name: str
    order: int
    closed: int
    excluded: int
    reviewed: int
    score_sum: Decimal

    def __post_init__(self) -> None:
        self.reviewable = self.closed - self.excluded
        self.rate = round(100 * self.reviewed / self.reviewable, 1) if self.reviewable else None
        self.full = self.rate is None or self.reviewed >= self.reviewable

    def __str__(self) -> str:
        return self.short_name or self.name


SCORE_SUM = DecimalField(max_digits=16, decimal_places=1)  # a sum of scores outgrows the score's 5 digits

# The caption every page that shows the self-review rate puts beside it (one definition).
# The review queue's backlog is a to-do list, not a period figure: it is named apart from the
# dashboard's "本期结案逾期未移交" (REV-5 of a chosen period) and never shown beside it.
OVERDUE_NOW_DEFINITION = gettext_lazy(
    "当前逾期未移交（全部年度）：截至今天，任一年度结案、已满规定日数仍未移交自查的案卷（复议诉讼案卷不计）；"
    "即各年度统计看板“本期结案逾期未移交”之和"
)
AWAITING_NOW_DEFINITION = gettext_lazy(
    "当前待移交（全部年度）：截至今天，已结案、尚未移交自查的案卷（复议诉讼案卷不计）"
)
COVERAGE_DEFINITION = gettext_lazy("自查率 = 已自查（自查记录已锁定）÷ 应自查（本期结案、未提起复议或诉讼的案卷）")


def coverage_by_department(
    region_id: int, department_id: int | None, start: datetime.date, end: datetime.date
) -> list[CoverageRow]:
    """REV-6/REV-12, THE one definition of the self-review rate (the coverage page, the annual
    assessment, the half-year summary and the statistics dashboard all read it): per enforcement
    unit of ``region_id`` (or only ``department_id``), files closed in [start, end], excluded by
    REV-12, self-reviewed (locked record, not excluded), and the sum of those records' scores.
    One query."""
    from .choices import ReviewStatus

    closed = Q(case_files__closed_on__range=(start, end))
    excluded = ~Q(case_files__reconsideration=ReconsiderationState.NONE) | ~Q(
        case_files__litigation=LitigationState.NONE
    )
    reviewed = closed & ~excluded & Q(case_files__self_review__status=ReviewStatus.LOCKED)

    def build():
        qs = enforcement_departments(region_id)
        if department_id is not None:
            qs = qs.filter(pk=department_id)
        return (
            qs.values("pk", "name", "short_name", "order")
            .annotate(
                closed=Count("case_files__closed_on", filter=closed),
                excluded=Count("case_files__closed_on", filter=closed & excluded),
                reviewed=Count("case_files__closed_on", filter=reviewed),
                score_sum=Sum("case_files__self_review__score", filter=reviewed, output_field=SCORE_SUM),
            )
            .order_by("order", "pk")
        )

    rows = build()
    return [CoverageRow(**(row | {"score_sum": Decimal(row["score_sum"] or 0)})) for row in rows]


def coverage(user, year: int) -> list[CoverageRow]:
    """REV-6/REV-12 per department of the user's county (county roles) or their own department
    for ``year`` (``coverage_by_department``). One query."""
    scope = scope_for(user)
    department_id = None if scope.is_county_wide else scope.department_id
    return coverage_by_department(
        scope.region_id, department_id, datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    )


def coverage_access(user) -> None:
    scope = scope_for(user)
    if not (scope.is_county_wide or scope.reads_department):
        raise PermissionDenied(
            _("自查率（REV-6）只对本部门法制机构人员、负责人、党组成员和司法局、评查组、县领导开放。")
        )


def awaiting_my_signature(user) -> QuerySet:
    """REV-7: submitted records of the user's department that still need the sign-off of a post
    the user holds (head of the legal office / of the enforcement unit), oldest first."""
    from .choices import ReviewStatus, SignerRole
    from .models import ReviewSignature, SelfReview

    scope = scope_for(user)
    roles = [r for r in SignerRole.values if r in scope.roles]
    if not roles or scope.department_id is None or scope.is_read_only:
        return SelfReview.objects.none()
    qs = SelfReview.objects.filter(case_file__department_id=scope.department_id, status=ReviewStatus.SUBMITTED)
    signed_by_me = ReviewSignature.objects.filter(review_id=OuterRef("pk"), user_id=scope.user_id)
    missing_role = Q()
    for role in roles:
        missing_role |= ~Exists(ReviewSignature.objects.filter(review_id=OuterRef("pk"), role=role))
    return (
        qs.filter(missing_role)
        .exclude(Exists(signed_by_me))
        # REV-7: a head who handled the file does not sign its record; another holder does.
        .exclude(handled_q(scope.officer_id, prefix="case_file__"))
        .select_related("case_file__main_handler", "case_file__category")
        .order_by("submitted_at", "id")
    )


def mask_party(name: str, kind: str) -> str:
    """REV-16 library: a person's name shows its first character only; organisations keep
    their name with the middle masked."""
    if not name:
        return ""
    if kind == "person":
        return name[0] + "*" * max(1, len(name) - 1)
    return name[:2] + "***" + name[-2:] if len(name) > 4 else name[0] + "***"


def excellent_library(user) -> QuerySet:
    """REV-16: excellent self-reviewed files of the user's county, readable by every unit
    (any user with a role and a county); personal data masked by the page."""
    from .choices import Grade, ReviewStatus
    from .models import SelfReview

    scope = scope_for(user)
    if scope.region_id is None or not (scope.roles - {"sysadmin", "secadmin", "auditadmin"}):
        raise PermissionDenied(_("优秀案卷库（REV-16）对本县执法、法制、司法局和县领导角色开放。"))
    return (
        SelfReview.objects.filter(
            status=ReviewStatus.LOCKED, grade=Grade.EXCELLENT, case_file__department__region_id=scope.region_id
        )
        .select_related("case_file__department", "case_file__category")
        .only(
            "id",
            "score",
            "year",
            "locked_at",
            "case_file__number",
            "case_file__title",
            "case_file__party_name",
            "case_file__party_kind",
            "case_file__department__short_name",
            "case_file__department__name",
            "case_file__category__name",
        )
        .order_by("-score", "-locked_at", "-id")
    )


def case_freeze(case):
    """REV-7 (registered with ``cases.access``): a file whose self-review record is submitted
    or locked is final; it changes only by an amendment of the legal office."""
    from .models import SelfReview

    status = SelfReview.objects.filter(case_file_id=case.pk).values_list("status", flat=True).first()
    return _freeze_for_status(status)


def case_freezes(case_ids: list[int]) -> dict:
    """``case_freeze`` for many files in one query (registered as its set form: the ledger
    import checks a whole file's stored cases at once)."""
    from .choices import ReviewStatus
    from .models import SelfReview

    if not case_ids:
        return {}
    rows = SelfReview.objects.filter(
        case_file_id__in=case_ids, status__in=[ReviewStatus.LOCKED, ReviewStatus.SUBMITTED]
    ).values_list("case_file_id", "status")
    return {pk: _freeze_for_status(status) for pk, status in rows}


def _freeze_for_status(status):
    from cases.access import Freeze

    from .choices import ReviewStatus

    if status == ReviewStatus.LOCKED:
        return Freeze(
            "review_locked",
            _("该案卷的自查记录已签署锁定，案卷已定稿，不能再修改；如需更正，请由本部门法制机构办理更正（REV-7）。"),
        )
    if status == ReviewStatus.SUBMITTED:
        return Freeze(
            "review_submitted",
            _("该案卷的自查记录已提交签署，案卷已定稿，不能再修改；如需更正，请由本部门法制机构办理更正（REV-7）。"),
        )
    return None


# The columns of the queue's list of records whose file was amended after review (REV-7).
AMENDED_ROW_FIELDS = ("id", "case_file__number", "case_file__title", "status", "case_amended_at")


def amended_after_review(user) -> QuerySet:
    """REV-7: records of the user's department marked "案卷在评查后被更正" (their file was
    amended after the record was submitted or locked), for the legal office to review again;
    most recently amended first."""
    from .models import SelfReview

    scope = scope_for(user)
    if not scope.reads_department:
        return SelfReview.objects.none()
    return SelfReview.objects.filter(department_id=scope.department_id, case_amended=True).order_by(
        "-case_amended_at", "-id"
    )


# --- inspection campaigns ------------------------------------------------------------------


@dataclass
class StratumRow:
    """One unit × sampling category of an inspection (REV-11): from the stored draw, or a
    category of the unit's power list that had no candidate at all (``candidates`` 0)."""

    department: Department
    group: str
    candidates: int = 0
    drawn: int = 0
    excluded: int = 0

    @property
    def all_taken(self) -> bool:
        return self.candidates <= self.drawn


def campaign_units(campaign) -> QuerySet[Department]:
    """REV-11: the units an inspection lists, in unit order: every unit of the campaign's regions
    with a sampling category in its power list (权力清单), or with a stratum in the stored draw (a
    file may fall outside its unit's list). The strata table pages by unit, so a unit's
    categories are never split across pages and each page costs the same whatever the size."""
    from cases.models import PowerItem

    from .models import SampleStratum
    from .sampling import campaign_region_ids

    listed = PowerItem.objects.filter(department_id=OuterRef("pk"), is_active=True).exclude(category__sampling_group="")
    drawn = SampleStratum.objects.filter(campaign_id=campaign.pk, department_id=OuterRef("pk"))
    return (
        Department.objects.filter(region_id__in=campaign_region_ids(campaign.region_id))
        .filter(Exists(listed) | Exists(drawn))
        .only("id", "name", "short_name", "order")
        .order_by("order", "id")
    )


def campaign_strata(campaign, departments: list[Department]) -> list[StratumRow]:
    """REV-11: every unit × sampling category of ``departments`` (a page of
    :func:`campaign_units`) — each category of the unit's power list, whether or not it had
    files to draw from (``candidates`` 0: "无可抽案卷"), and every stratum the draw stored —
    in unit order, then category order. Three queries."""
    from cases.models import PowerItem

    from .models import SampleStratum

    position = {d.pk: k for k, d in enumerate(departments)}
    rows: dict[tuple[int, str], StratumRow] = {}
    stored = (
        SampleStratum.objects.filter(campaign=campaign, department_id__in=position)
        .order_by()
        .values_list("department_id", "group", "candidates", "drawn", "excluded")
    )
    for dept_id, group, candidates, drawn, excluded in stored:
        rows[(dept_id, group)] = StratumRow(None, group, candidates, drawn, excluded)
    listed = (
        PowerItem.objects.filter(department_id__in=position, is_active=True)
        .exclude(category__sampling_group="")
        .order_by()  # the model's ordering (department, code) would defeat DISTINCT
        .values_list("department_id", "category__sampling_group")
        .distinct()
    )
    for dept_id, group in listed:
        rows.setdefault((dept_id, group), StratumRow(None, group))
    group_order: dict[str, int] = {}
    for group, order in CaseCategory.objects.exclude(sampling_group="").values_list("sampling_group", "order"):
        group_order[group] = min(order, group_order.get(group, order))
    for (dept_id, _group), row in rows.items():
        row.department = departments[position[dept_id]]
    return sorted(rows.values(), key=lambda r: (position[r.department.pk], group_order.get(r.group, 1 << 30), r.group))
