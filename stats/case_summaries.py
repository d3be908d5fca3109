"""Maintenance of ``CaseMonthSummary`` (performance.md targets 4 and 5).

How the summary is kept correct:

- every case-file save and delete goes through the signals below (services, ledger import,
  admin, shell): ``pre_save`` reads the row as it stands in the database (the *old* values),
  ``post_save`` / ``post_delete`` compute each version's contribution (which summary row each
  counter goes to) and apply the difference, so an edit of the department, category, a date,
  the hearing flag, the amounts, REV-12 exclusions or the transfer moves counts between rows;
- a difference is applied as one upsert per touched row,
  ``INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n`` (PostgreSQL and SQLite): the
  increment happens in the database under the row lock, so concurrent writers never lose an
  update, and the first writer of a month creates the row without a race;
- bulk paths that bypass signals (``bulk_create``, ``_raw_delete``, the demo builders, the
  benchmark data) call ``summary_rebuild`` for the departments they touched;
  ``python manage.py rebuild_summaries [--region CODE]`` does the same by hand.

``fresh_aggregate`` computes the same rows from the case table; the tests assert that the
maintained table always equals it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.db.models.signals import post_delete, post_save, pre_save

from cases.choices import LitigationState, ReconsiderationState
from cases.models import CaseFile
from xian_enforcement.data_versions import bump_on_commit
from xian_enforcement.org.models import Department

from .models import CaseMonthSummary, CountyMonthSummary

COUNTERS = (
    "filed",
    "hearings",
    "closed",
    "reviewable_closed",
    "transferred",
    "on_time",
    "decided",
    "amount_cents",
)
# The case-file columns a contribution depends on.
SOURCE_FIELDS = (
    "department_id",
    "category_id",
    "filed_on",
    "closed_on",
    "decided_on",
    "hearing_held",
    "fine_amount",
    "confiscation_amount",
    "reconsideration",
    "litigation",
    "transferred_for_review_on",
)

Key = tuple[int, int, int, int]  # department, category, year, month
Contribution = dict[Key, dict[str, int]]


def _cents(value) -> int:
    return int((Decimal(value or 0) * 100).to_integral_value())


def transfer_days() -> int:
    return settings.RULES["REV_5_TRANSFER_DAYS"]


def contribution(values: dict) -> Contribution:
    """What one case file (its ``SOURCE_FIELDS``) adds to the summary rows."""
    out: Contribution = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    dept, cat = values["department_id"], values["category_id"]
    filed_on, closed_on, decided_on = values["filed_on"], values["closed_on"], values["decided_on"]
    if filed_on:
        row = out[(dept, cat, filed_on.year, filed_on.month)]
        row["filed"] += 1
        row["hearings"] += 1 if values["hearing_held"] else 0
    if closed_on:
        row = out[(dept, cat, closed_on.year, closed_on.month)]
        row["closed"] += 1
        reviewable = (
            values["reconsideration"] == ReconsiderationState.NONE and values["litigation"] == LitigationState.NONE
        )
        if reviewable:
            row["reviewable_closed"] += 1
            transferred = values["transferred_for_review_on"]
            if transferred:
                row["transferred"] += 1
                if transferred - closed_on <= datetime.timedelta(days=transfer_days()):
                    row["on_time"] += 1
    if decided_on:
        row = out[(dept, cat, decided_on.year, decided_on.month)]
        row["decided"] += 1
        row["amount_cents"] += _cents(values["fine_amount"]) + _cents(values["confiscation_amount"])
    return dict(out)


def difference(old: Contribution, new: Contribution) -> Contribution:
    """``new − old`` per row, rows without change left out."""
    out: Contribution = {}
    for key in old.keys() | new.keys():
        a, b = old.get(key, {}), new.get(key, {})
        delta = {c: b.get(c, 0) - a.get(c, 0) for c in COUNTERS}
        if any(delta.values()):
            out[key] = delta
    return out


def _upsert_sql(model, key_columns: tuple[str, ...]) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join((*key_columns, *COUNTERS))
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
    placeholders = ", ".join(["%s"] * (len(key_columns) + len(COUNTERS)))
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "
        f"ON CONFLICT ({', '.join(key_columns)}) DO UPDATE SET {updates}"
    )


def summary_apply(delta: Contribution) -> None:
    """Add ``delta`` to the department rows and to their counties' rows, one atomic upsert per
    row (creating missing rows). One query finds the departments' regions."""
    if not delta:
        return
    regions = dict(Department.objects.filter(pk__in={k[0] for k in delta}).values_list("pk", "region_id"))
    county: Contribution = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for (dept, cat, year, month), counters in delta.items():
        row = county[(regions[dept], cat, year, month)]
        for c in COUNTERS:
            row[c] += counters[c]
    department_sql = _upsert_sql(CaseMonthSummary, ("department_id", "category_id", "year", "month"))
    county_sql = _upsert_sql(CountyMonthSummary, ("region_id", "category_id", "year", "month"))
    with connection.cursor() as cursor:
        # A fixed order (departments, then counties, each by key): concurrent writers lock rows
        # in the same order and cannot deadlock.
        for key in sorted(delta):
            cursor.execute(department_sql, [*key, *(delta[key][c] for c in COUNTERS)])
        for key in sorted(county):
            if any(county[key].values()):
                cursor.execute(county_sql, [*key, *(county[key][c] for c in COUNTERS)])


def _values(case: CaseFile) -> dict:
    return {f: getattr(case, f) for f in SOURCE_FIELDS}


# --- signals ------------------------------------------------------------------------------------


def _before_save(sender, instance: CaseFile, raw: bool = False, **kwargs) -> None:
    instance._summary_old = None
    if instance.pk is not None and not raw:
        instance._summary_old = CaseFile.objects.filter(pk=instance.pk).values(*SOURCE_FIELDS).first()


def _after_save(sender, instance: CaseFile, created: bool, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    old = getattr(instance, "_summary_old", None)
    instance._summary_old = None
    _apply_and_bump(difference(contribution(old) if old else {}, contribution(_values(instance))))


def _after_delete(sender, instance: CaseFile, **kwargs) -> None:
    _apply_and_bump(difference(contribution(_values(instance)), {}))


def _apply_and_bump(delta: Contribution) -> None:
    """Apply, and invalidate the cached dashboards after commit (writes outside the services,
    e.g. the admin, bump too)."""
    if delta:
        summary_apply(delta)
        bump_on_commit("cases")


def _after_bulk_write(sender, created=(), updated=(), **kwargs) -> None:
    """Files written in bulk (``cases.signals.case_files_bulk_written``, the ledger import): the
    sum of every file's difference, applied once (one upsert per touched summary row)."""
    total: Contribution = {}
    changes = [({}, contribution(_values(c))) for c in created]
    changes += [(contribution(_values(b)), contribution(_values(a))) for b, a in updated]
    for old, new in changes:
        for key, delta in difference(old, new).items():
            row = total.setdefault(key, dict.fromkeys(COUNTERS, 0))
            for c in COUNTERS:
                row[c] += delta[c]
    _apply_and_bump({k: v for k, v in total.items() if any(v.values())})


def connect_signals() -> None:
    from cases.signals import case_files_bulk_written

    case_files_bulk_written.connect(_after_bulk_write, dispatch_uid="stats-summary-bulk-write")
    pre_save.connect(_before_save, sender=CaseFile, dispatch_uid="stats-summary-pre-save")
    post_save.connect(_after_save, sender=CaseFile, dispatch_uid="stats-summary-post-save")
    post_delete.connect(_after_delete, sender=CaseFile, dispatch_uid="stats-summary-post-delete")


# --- rebuilding ---------------------------------------------------------------------------------


def fresh_aggregate(department_ids: Iterable[int] | None = None, *, case_model=None) -> dict[Key, dict[str, int]]:
    """The summary rows computed from the case table (three grouped queries), zero rows left out.
    ``case_model``: the historical model in a migration."""
    cases = (case_model or CaseFile).objects.all()
    if department_ids is not None:
        cases = cases.filter(department_id__in=list(department_ids))
    days = datetime.timedelta(days=transfer_days())
    reviewable = Q(reconsideration=ReconsiderationState.NONE, litigation=LitigationState.NONE)
    out: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))

    def grouped(date_field: str, **aggregates):
        return (
            cases.filter(**{f"{date_field}__isnull": False})
            .alias(
                transfer_gap=ExpressionWrapper(
                    F("transferred_for_review_on") - F("closed_on"), output_field=DurationField()
                )
            )
            .annotate(y=ExtractYear(date_field), m=ExtractMonth(date_field))
            .values("department_id", "category_id", "y", "m")
            .annotate(**aggregates)
            .order_by()
        )

    for r in grouped("filed_on", filed=Count("filed_on"), hearings=Count("filed_on", filter=Q(hearing_held=True))):
        row = out[(r["department_id"], r["category_id"], r["y"], r["m"])]
        row["filed"], row["hearings"] = r["filed"], r["hearings"]
    closed_rows = grouped(
        "closed_on",
        closed=Count("closed_on"),
        reviewable_closed=Count("closed_on", filter=reviewable),
        transferred=Count("transferred_for_review_on", filter=reviewable),
        on_time=Count(
            "transferred_for_review_on",
            filter=reviewable & Q(transfer_gap__lte=days),
        ),
    )
    for r in closed_rows:
        row = out[(r["department_id"], r["category_id"], r["y"], r["m"])]
        for c in ("closed", "reviewable_closed", "transferred", "on_time"):
            row[c] = r[c]
    for r in grouped(
        "decided_on", decided=Count("decided_on"), amount=Sum(F("fine_amount") + F("confiscation_amount"))
    ):
        row = out[(r["department_id"], r["category_id"], r["y"], r["m"])]
        row["decided"], row["amount_cents"] = r["decided"], _cents(r["amount"])
    return {k: v for k, v in out.items() if any(v.values())}


def _maintained_rows(model, owner: str, ids: Iterable[int] | None) -> dict[Key, dict[str, int]]:
    qs = model.objects.all()
    if ids is not None:
        qs = qs.filter(**{f"{owner}__in": list(ids)})
    out = {}
    for r in qs.values(owner, "category_id", "year", "month", *COUNTERS):
        key = (r.pop(owner), r.pop("category_id"), r.pop("year"), r.pop("month"))
        if any(r.values()):
            out[key] = r
    return out


def summary_rows(department_ids: Iterable[int] | None = None) -> dict[Key, dict[str, int]]:
    """The maintained summary rows (zero rows left out), in the shape of ``fresh_aggregate``."""
    return _maintained_rows(CaseMonthSummary, "department_id", department_ids)


def county_rows(region_ids: Iterable[int] | None = None) -> dict[Key, dict[str, int]]:
    """The maintained county rows (zero rows left out), keyed (region, category, year, month)."""
    return _maintained_rows(CountyMonthSummary, "region_id", region_ids)


def fresh_county_aggregate(region_ids: Iterable[int] | None = None) -> dict[Key, dict[str, int]]:
    """The county rows computed from the case table (through ``fresh_aggregate``)."""
    regions = dict(Department.objects.values_list("pk", "region_id"))
    wanted = None if region_ids is None else set(region_ids)
    out: dict[Key, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for (dept, cat, year, month), counters in fresh_aggregate().items():
        region = regions[dept]
        if wanted is not None and region not in wanted:
            continue
        row = out[(region, cat, year, month)]
        for c in COUNTERS:
            row[c] += counters[c]
    return {k: v for k, v in out.items() if any(v.values())}


def county_rebuild(region_ids: Iterable[int] | None = None, *, summary_model=None, county_model=None) -> int:
    """Recompute the county rows of ``region_ids`` (all when None) from the department rows."""
    summary_model = summary_model or CaseMonthSummary
    county_model = county_model or CountyMonthSummary
    ids = None if region_ids is None else list(region_ids)
    existing = county_model.objects.all()
    source = summary_model.objects.all()
    if ids is not None:
        existing = existing.filter(region_id__in=ids)
        source = source.filter(department__region_id__in=ids)
    existing._raw_delete(existing.db)
    rows = (
        source.values("department__region_id", "category_id", "year", "month")
        .annotate(**{f"s_{c}": Sum(c) for c in COUNTERS})
        .order_by("year", "month", "department__region_id", "category_id")  # a period's rows together on disk
    )
    objs = [
        county_model(
            region_id=r["department__region_id"],
            category_id=r["category_id"],
            year=r["year"],
            month=r["month"],
            **{c: r[f"s_{c}"] for c in COUNTERS},
        )
        for r in rows
        if any(r[f"s_{c}"] for c in COUNTERS)
    ]
    county_model.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


@transaction.atomic
def summary_rebuild(
    department_ids: Iterable[int] | None = None,
    *,
    case_model=None,
    summary_model=None,
    counties: bool = True,
) -> int:
    """Recompute the summary rows of ``department_ids`` (all when None) from the case table,
    then their counties' rows (unless ``counties`` is False: the 0003 migration).
    Returns the number of rows written. Runs in one transaction: a concurrent case-file write
    waits on the row locks of the delete. Writes committed between the aggregate and the commit
    may be missed; run it when the departments are quiet (after a bulk load, at night)."""
    ids = None if department_ids is None else list(department_ids)
    summary_model = summary_model or CaseMonthSummary
    existing = summary_model.objects.all()
    if ids is not None:
        existing = existing.filter(department_id__in=ids)
    existing._raw_delete(existing.db)
    fresh = fresh_aggregate(ids, case_model=case_model)
    summary_model.objects.bulk_create(
        [
            summary_model(department_id=k[0], category_id=k[1], year=k[2], month=k[3], **v)
            # Month-major order: a period's rows sit together on disk (fewer pages to read).
            for k, v in sorted(fresh.items(), key=lambda kv: (kv[0][2], kv[0][3], kv[0][0], kv[0][1]))
        ],
        batch_size=2000,
    )
    if counties:  # the counties of those departments, from their department rows
        region_ids = None
        if ids is not None:
            region_ids = set(Department.objects.filter(pk__in=ids).values_list("region_id", flat=True))
        county_rebuild(region_ids, summary_model=summary_model)
    if case_model is None:
        bump_on_commit("cases")
    return len(fresh)
