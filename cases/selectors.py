"""Reads of case files, limited to what the user may see (NetBox ``restrict(user, action)``).

Jurisdiction (security.md): county-wide roles (bureau staff, leaders, review group) read every
file of their county; department roles read their department's files; a case handler reads the
files they handle. Writers: the legal office of the department, and the handlers of a file.
Outside the jurisdiction → 404; readable but not writable → 403.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from xian_enforcement.org.models import Officer
from xian_enforcement.org.scoping import Scope, scope_for

from .models import CaseAttachment, CaseCategory, CaseFile, PowerItem


def read_filter(
    scope: Scope, *, department: str = "department_id", case_file: str = "pk", main_handler: str = "main_handler_id"
) -> Q | None:
    """The Q that limits case files to ``scope``; None means nothing at all. For a model that
    belongs to a case file (a self-review record), name its fields: ``department`` (the record's
    own copy of the file's department, so a county-wide role reads an index of the record, not a
    join), ``case_file`` (the file's id) and ``main_handler`` (through the file)."""
    parts: list[Q] = []
    if scope.is_county_wide:
        # A county reads its own departments; a province (or city) user every county below it.
        parts.append(Q(**{f"{department}__in": scope.read_department_ids}))
    if scope.reads_department:
        parts.append(Q(**{department: scope.department_id}))
    if scope.is_handler:
        co = CaseFile.co_handlers.through.objects.filter(casefile_id=OuterRef(case_file), officer_id=scope.officer_id)
        parts.append(Q(**{main_handler: scope.officer_id}) | Q(Exists(co)))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def can_list_cases(user) -> bool:
    return read_filter(scope_for(user)) is not None


def case_files_visible_to(user) -> QuerySet[CaseFile]:
    q = read_filter(scope_for(user))
    if q is None:
        return CaseFile.objects.none()
    return CaseFile.objects.filter(q)


def case_list_queryset(user) -> QuerySet[CaseFile]:
    """The list page's queryset: visible files with what each row shows, in a fixed number of
    queries whatever the page size."""
    return (
        case_files_visible_to(user)
        .select_related("department", "category", "main_handler")
        .prefetch_related(Prefetch("co_handlers", queryset=Officer.objects.only("id", "name")))
    )


# What a row of the case list shows, read as dicts (``.values()``) rather than as model instances
# (four per row: the file, its department, category and handler) with a prefetch of co-handlers;
# the co-handlers' names come in the same statement (``list_rows``) (performance.md targets 1
# and 2).
LIST_VALUES = (
    "id", "number", "title", "status", "filed_on", "closed_on", "fine_amount", "reconsideration", "litigation",
    "department__short_name", "category__name", "main_handler__name",
)  # fmt: skip


def _co_handler_names() -> models.expressions.RawSQL:
    """The co-handlers' names of the row's file joined by "、" in the order recorded, as a scalar
    subquery written out: the same subquery through the ORM (a correlated ``Subquery`` over the
    through table with an aggregate) is costly to compile on every page (performance.md target 2).
    Only for a top-level query on the case table."""
    if connection.vendor == "postgresql":
        names = "string_agg(o.name, '、' ORDER BY ch.id)"
    else:  # SQLite keeps the subquery's order (the through table's rowid)
        names = "group_concat(o.name, '、')"
    return models.expressions.RawSQL(
        f"SELECT {names} FROM cases_casefile_co_handlers ch JOIN org_officer o ON o.id = ch.officer_id "
        "WHERE ch.casefile_id = cases_casefile.id",
        (),
        output_field=models.TextField(),
    )


def list_rows(qs: QuerySet[CaseFile]) -> QuerySet:
    """``qs`` (a case list queryset, filtered and ordered) as the list page's rows: dicts of
    ``LIST_VALUES`` and ``co_handler_names`` (the co-handlers' names joined by "、", a subquery
    per row in the same statement)."""
    return (
        qs.prefetch_related(None)
        .annotate(co_handler_names=_co_handler_names())
        .values(*LIST_VALUES, "co_handler_names")
    )


def _list_sort(params) -> str:
    """The list's sort key from ``params``; an unknown one falls back to newest filed first."""
    from .filters import SORTS

    sort = params.get("sort", "-filed")
    return sort if sort in SORTS else "-filed"


def case_list_filtered(user, params):
    """The case list as the list page shows it for ``params`` (a QueryDict: filters and sort):
    (filterset, ordered queryset, sort key). For the export and the background export job (which
    rebuilds it from the saved parameters, under the same user's scope); the page itself reads
    through ``case_list_page``."""
    from .filters import SORTS, CaseFileFilter

    filterset = CaseFileFilter(params or None, queryset=case_list_queryset(user), user=user)
    sort = _list_sort(params)
    return filterset, filterset.qs.order_by(*SORTS[sort]), sort


def case_list_page(user, params, *, size: int = 50, after: str = "", before: str = "", last: bool = False):
    """The list page: (filterset, keyset page of ``list_rows`` dicts, sort key)."""
    from .filters import SORTS, CaseFileFilter

    filterset = CaseFileFilter(params or None, queryset=case_files_visible_to(user), user=user)
    sort = _list_sort(params)
    filtered = filterset.qs
    page = keyset_page(
        list_rows(filtered),
        SORTS[sort],
        after=after,
        before=before,
        last=last,
        size=size,
        count_of=filtered,  # the projection's joins (names of department, category, handler) are not counted
    )
    return filterset, page, sort


def can_create_case(user, department_id: int | None = None) -> bool:
    scope = scope_for(user)
    if scope.department_id is None or scope.is_read_only:
        return False
    if department_id is not None and department_id != scope.department_id:
        return False
    return scope.writes_department or scope.is_handler


def can_edit_case(user, case: CaseFile) -> bool:
    scope = scope_for(user)
    if scope.is_read_only:
        return False
    if scope.writes_department and case.department_id == scope.department_id:
        return True
    if scope.is_handler and case.department_id == scope.department_id:
        return case.main_handler_id == scope.officer_id or case.co_handlers.filter(pk=scope.officer_id).exists()
    return False


def case_file_for_user(user, pk: int, *, write: bool = False) -> CaseFile:
    """The one helper that fetches a case file for a user: 404 outside their jurisdiction,
    403 when they may read it but not change it (healthchecks ``_get_rw_check_for_user``)."""
    case = (
        case_files_visible_to(user)
        .select_related("department", "category", "power_item", "main_handler", "legal_review_by")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404(_("没有找到该案卷，或不在您的管辖范围内。"))
    if write and not can_edit_case(user, case):
        raise PermissionDenied(_("您可以查看该案卷，但无权修改：只有本部门法制机构人员和该案承办人可以修改。"))
    return case


def amendments_of(case: CaseFile) -> list:
    """REV-7: the amendments (更正) of a file the user may read, newest first, each with its
    changes as rows (label, before, after) in the order of the case form."""
    rows = list(case.amendments.order_by("-amended_at", "-id"))
    for amendment in rows:
        amendment.change_rows = [
            (c.get("label", name), c.get("before_text", ""), c.get("after_text", ""))
            for name, c in amendment.changes.items()
        ]
    return rows


def attachment_for_user(user, pk: int, *, write: bool = False) -> CaseAttachment:
    attachment = CaseAttachment.objects.select_related("case_file").filter(pk=pk).first()
    if attachment is None:
        raise Http404(_("没有找到该附件。"))
    case_file_for_user(user, attachment.case_file_id, write=write)
    return attachment


def categories() -> QuerySet[CaseCategory]:
    return CaseCategory.objects.filter(is_active=True)


def power_items_visible_to(user) -> QuerySet[PowerItem]:
    """Power lists are public within the county; units see their own, county roles all."""
    scope = scope_for(user)
    qs = PowerItem.objects.select_related("department", "category")
    if scope.is_county_wide:
        return qs.filter(department__region_id=scope.region_id)
    if scope.department_id is not None and scope.roles:
        return qs.filter(department_id=scope.department_id)
    return qs.none()


# --- keyset pagination of the case list (performance.md target 3) ------------------------------

EXACT_COUNT_MAX = 10_000  # a list counts its rows up to this many, then says "10,000 件以上"


@dataclass
class KeysetPage:
    """One page of a keyset-paginated list: the rows, opaque cursors to the neighbouring
    pages, and the total (exact up to ``EXACT_COUNT_MAX``; ``total_is_estimate`` when there are more)."""

    object_list: list
    next_cursor: str | None
    previous_cursor: str | None
    is_first: bool
    is_last: bool
    total: int | None
    total_is_estimate: bool

    @property
    def has_other_pages(self) -> bool:
        return not (self.is_first and self.is_last)


def encode_cursor(values: list) -> str:
    raw = json.dumps(
        [v.isoformat() if isinstance(v, datetime.date) else str(v) if v is not None else None for v in values]
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, fields: list[models.Field]) -> list | None:
    """The sort values of a cursor, converted to the fields' types; None for a cursor that is
    not one of ours (the list then starts at its first page)."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(fields):
            return None
        return [None if v is None else f.to_python(v) for v, f in zip(raw, fields, strict=True)]
    except (ValueError, TypeError, ValidationError, binascii.Error):
        return None


def _beyond(ordering: tuple[str, ...], values: list, nullable: bool, *, greater: bool) -> Q:
    """Rows whose (column, id) is strictly greater (or less) than ``values``, a NULL column
    counting as greater than every value (PostgreSQL's own order, so one plain (column, id)
    index serves both directions). A redundant ``a >= x`` / ``a <= x`` bound on the column lets
    the planner use the index range (performance.md pitfall: ``a < x OR (a = x AND id < y)``
    alone is slow)."""
    (lead, tie), (x, y) = ordering, values
    name, tie_name = lead.lstrip("-"), tie.lstrip("-")
    op = "gt" if greater else "lt"
    is_null, not_null = Q(**{f"{name}__isnull": True}), Q(**{f"{name}__isnull": False})
    tie_q = Q(**{f"{tie_name}__{op}": y})
    if x is None:
        return is_null & tie_q if greater else not_null | (is_null & tie_q)
    rest = Q(**{f"{name}__{op}e": x}) & (Q(**{f"{name}__{op}": x}) | (Q(**{name: x}) & tie_q))
    return rest | is_null if greater and nullable else rest


def _after(ordering: tuple[str, ...], values: list, nullable: bool) -> Q:
    """Rows after ``values`` in ``ordering`` (``-name``: descending)."""
    return _beyond(ordering, values, nullable, greater=not ordering[0].startswith("-"))


def _before(ordering: tuple[str, ...], values: list, nullable: bool) -> Q:
    """Rows before ``values`` in ``ordering``."""
    return _beyond(ordering, values, nullable, greater=ordering[0].startswith("-"))


def _reverse(ordering: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(o[1:] if o.startswith("-") else f"-{o}" for o in ordering)


def _order(ordering: tuple[str, ...], nullable: bool, *, backward: bool = False) -> list:
    """ORDER BY terms. NULLs sort as the greatest value (last ascending, first descending) on
    every database: PostgreSQL's default, written out for SQLite (whose default is the
    opposite), so the (column, id) indexes serve both directions."""
    if backward:
        ordering = _reverse(ordering)
    out = []
    for i, o in enumerate(ordering):
        expr = F(o.lstrip("-"))
        if i == 0 and nullable:
            out.append(expr.desc(nulls_first=True) if o.startswith("-") else expr.asc(nulls_last=True))
        else:
            out.append(expr.desc() if o.startswith("-") else expr.asc())
    return out


def capped_count(qs: QuerySet) -> tuple[int, bool]:
    """(count, capped): the number of rows up to ``EXACT_COUNT_MAX``, in one query whatever the
    size (performance.md targets 2 and 6). The count reads at most ``EXACT_COUNT_MAX + 1`` index
    entries (no ordering, so the planner stops early); beyond that the list says "10,000 件以上".
    An exact COUNT(*) reads every file of a large county; a count in the list's sort order is no
    better (the planner misjudges the join through the department and sorts them all)."""
    n = qs.order_by().values("pk")[: EXACT_COUNT_MAX + 1].count()
    return (EXACT_COUNT_MAX, True) if n > EXACT_COUNT_MAX else (n, False)


def estimated_count(qs: QuerySet) -> tuple[int, bool]:
    """(count, is_estimate) for a background export's progress: the capped count, and above it the
    planner's estimate (EXPLAIN, nothing executed) — never below the cap."""
    n, capped = capped_count(qs)
    if not capped:
        return n, False
    if connection.vendor != "postgresql":
        return qs.order_by().count(), False
    plan = json.loads(qs.order_by().explain(format="json"))
    plan = plan[0] if isinstance(plan, list) else plan
    return max(int(plan["Plan"]["Plan Rows"]), EXACT_COUNT_MAX + 1), True


def keyset_page(
    qs: QuerySet,
    ordering: tuple[str, str],
    *,
    after: str = "",
    before: str = "",
    last: bool = False,
    size: int = 50,
    count_of: QuerySet | None = None,
    counted: bool = True,
) -> KeysetPage:
    """A page of ``qs`` in ``ordering`` (a column and the unique tie-breaker ``id``), by keyset:
    ``after`` a cursor (next), ``before`` one (previous), the ``last`` page, or the first. Every
    page costs the same (an index range of ``size`` rows), the last as much as the first: it is
    the first page of the reversed ordering. ``count_of``: what to count for the total, when
    ``qs`` is a projection whose joins the count does not need (``list_rows``); ``counted=False``:
    no total (None)."""
    fields = [qs.model._meta.get_field(o.lstrip("-")) for o in ordering]
    nullable = fields[0].null
    after_values = decode_cursor(after, fields) if after else None
    before_values = decode_cursor(before, fields) if before and not after_values else None

    def read(backward: bool, values: list | None) -> list:
        out = qs.order_by(*_order(ordering, nullable, backward=backward))
        if values is not None:
            out = out.filter((_before if backward else _after)(ordering, values, nullable))
        return list(out[: size + 1])

    if not counted:
        total, estimate = None, False
    else:
        total, estimate = capped_count(qs if count_of is None else count_of)
    if last or before_values:
        rows = read(True, before_values)
        if before_values and not rows:  # the cursor's row was the first: show the first page
            return keyset_page(qs, ordering, size=size, count_of=count_of, counted=counted)
        is_first, is_last = len(rows) <= size, bool(last)
        rows = rows[:size][::-1]
    else:
        rows = read(False, after_values)
        is_first, is_last = after_values is None, len(rows) <= size
        rows = rows[:size]

    def cursor(row) -> str:
        if isinstance(row, dict):  # a ``.values()`` page (the case list reads rows as dicts)
            return encode_cursor([row[f.attname] for f in fields])
        return encode_cursor([getattr(row, f.attname) for f in fields])

    return KeysetPage(
        object_list=rows,
        next_cursor=cursor(rows[-1]) if rows and not is_last else None,
        previous_cursor=cursor(rows[0]) if rows and not is_first else None,
        is_first=is_first,
        is_last=is_last,
        total=total,
        total_is_estimate=estimate,
    )
