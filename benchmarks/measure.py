"""Measurements of performance.md: the floor F, raw-SQL references S, and targets 1–12, all
in one process run so that machine noise cancels in the ratios.

Pages are fetched with the Django test ``Client`` (full middleware, logged-in users) under the
bench urlconf, which adds the floor page to the project's URLs. Where a page the targets need
does not exist (no URL name resolves), its row says "missing" and fails, so the gap shows.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cases.models import CaseFile
from xian_enforcement.org.models import Officer, Region

from .datagen import PROVINCE_POST, Structure, county_volumes

BENCH_URLCONF = "benchmarks.urls"
# What the run overrides: the bench urlconf (the floor page F), and production's DEBUG = False
# (with DEBUG on, Django records every statement and its SQL text: about 0.1 ms a query on a
# 2-core machine, which production does not pay).
BENCH_SETTINGS = {"ROOT_URLCONF": BENCH_URLCONF, "DEBUG": False}
REFERENCE_F = 0.008  # s: the floor page on the machines performance.md was written on
PROVINCE_PAGE_NAMES = [
    "statistics:province",
    "statistics:province_dashboard",
    "statistics:dashboard_province",
    "statistics:province_stats",
]


@dataclass
class Row:
    """One line of the results table. ``ok`` is None when the target does not apply."""

    target: str
    what: str
    measured: float | None  # ms (s for target 10)
    limit: float | None
    ratio: float | None
    limit_ratio: float | None
    ok: bool | None
    unit: str = "ms"
    note: str = ""
    extra: dict = field(default_factory=dict)


def p95(xs: list[float]) -> float:
    s = sorted(xs)
    return s[max(0, math.ceil(0.95 * len(s)) - 1)]


def timings(fn: Callable[[], object], reps: int, warm: int = 2) -> list[float]:
    for _ in range(warm):
        fn()
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def paired_medians(a: Callable[[], object], b: Callable[[], object], reps: int, warm: int = 1) -> tuple[float, float]:
    """Medians of ``a`` and ``b`` timed alternately, so a drift of the machine (a checkpoint, an
    autovacuum, another process) falls on both alike rather than on whichever ran second."""
    for _ in range(warm):
        a()
        b()
    xa, xb = [], []
    for _ in range(reps):
        t = time.perf_counter()
        a()
        xa.append(time.perf_counter() - t)
        t = time.perf_counter()
        b()
        xb.append(time.perf_counter() - t)
    return statistics.median(xa), statistics.median(xb)


def ms(x: float) -> float:
    return round(x * 1000, 2)


def reverse_first(names: list[str], **kwargs) -> str | None:
    for name in names:
        try:
            return reverse(name, **kwargs)
        except NoReverseMatch:
            continue
    return None


def _seq_scan(sql: str) -> bool | None:
    """True if the plan of ``sql`` scans the whole case table; None if it cannot be explained."""
    try:
        # a savepoint: on PostgreSQL a failed EXPLAIN must not abort an enclosing transaction
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("EXPLAIN " + sql)
                plan = "\n".join(r[0] for r in cur.fetchall())
                return bool(re.search(r"Seq Scan on cases_casefile\b", plan))
            if connection.vendor == "sqlite":
                cur.execute("EXPLAIN QUERY PLAN " + sql)
                plan = "\n".join(str(r[-1]) for r in cur.fetchall())
                return any(line.startswith("SCAN cases_casefile") and "INDEX" not in line for line in plan.splitlines())
    except Exception:
        return None
    return None


def db_ms(sql: str, params: list | None = None) -> float | None:
    """The database's own time for one statement, in ms, Python excluded (target 2): on
    PostgreSQL the execution time ``EXPLAIN (ANALYZE, TIMING OFF)`` reports (the statement runs;
    planning and the round trip are not counted); on SQLite, which has no EXPLAIN ANALYZE, the
    wall time of executing it and fetching its rows through the cursor. None if it cannot run."""
    try:
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql, params)
                plan = cur.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                return float(plan[0]["Execution Time"])
            started = time.perf_counter()
            cur.execute(sql, params)
            cur.fetchall()
            return (time.perf_counter() - started) * 1000
    except Exception:
        return None


class Bench:
    """Measures one loaded database. ``reps`` warm repetitions per page (p95 of them)."""

    def __init__(
        self,
        st: Structure,
        n_cases: int,
        *,
        reps: int = 30,
        ledger_rows: int = 5000,
        log: Callable[[str], None] = print,
    ):
        self.st = st
        self.ledger_rows = ledger_rows
        self.n_cases = n_cases
        self.reps = reps
        self.log = log
        self.today = timezone.localdate()
        vols = county_volumes(st)
        total = sum(vols.values()) or 1
        # The measured county: the one nearest 50,000 files (performance.md: county = 10⁴–10⁵);
        # the largest county for page depth.
        self.county_id = min(vols, key=lambda c: abs(vols[c] / total * n_cases - 50_000))
        self.big_county_id = max(vols, key=vols.get)
        self.users = self._users()
        self.clients: dict[str, Client] = {}
        # What the web server does at start (wsgi.py): WeasyPrint and the PDF fonts ready, the
        # start-up objects (here also the loader's) frozen out of full garbage collections.
        from xian_enforcement.warmup import warm_up

        warm_up()
        self.F: float | None = None

    # --- people ---------------------------------------------------------------------------

    def _users(self) -> dict:
        officers = Officer.objects.select_related("user")
        users = {
            "bureau": officers.filter(region_id=self.county_id, post="司法局工作人员").first().user,
            "bureau_big": officers.filter(region_id=self.big_county_id, post="司法局工作人员").first().user,
            "leader": officers.filter(region_id=self.county_id, post="县领导").first().user,
        }
        top_dept = (
            CaseFile.objects.filter(department__region_id=self.county_id)
            .values("department_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        legal = officers.filter(post="法制审核员")
        if top_dept:
            legal = legal.filter(department_id=top_dept["department_id"])
        users["legal"] = legal.first().user
        province = officers.filter(region_id=self.st.province_id, post=PROVINCE_POST).first()
        if province:
            users["province"] = province.user
        return users

    def client(self, key: str) -> Client:
        if key not in self.clients:
            c = Client()
            if key != "anonymous":
                c.force_login(self.users[key])
            self.clients[key] = c
        return self.clients[key]

    # --- pages ----------------------------------------------------------------------------

    def get(self, key: str, url: str):
        return self.client(key).get(url)

    def page_p95(self, key: str, url: str, reps: int | None = None, *, cold: bool = False) -> tuple[float | None, str]:
        """p95 of ``reps`` warm requests; ``cold`` clears the cache before each (the dashboards
        cache their aggregates: cold is the cost of a miss)."""
        response = self.get(key, url)
        if response.status_code != 200:
            return None, f"HTTP {response.status_code}"
        xs = []
        for _ in range(reps or self.reps):
            if cold:
                cache.clear()
            t = time.perf_counter()
            self.get(key, url)
            xs.append(time.perf_counter() - t)
        return p95(xs), ""

    def beside_floor(self, key: str, url: str, *, cold: bool = False) -> tuple[list[float], list[float]] | None:
        """Times of ``reps`` requests of the page, each followed by one of the floor page, so that a
        drift of this shared machine falls on both (``cold``: the cache cleared before each page
        request); None when the page does not answer 200."""
        floor = reverse("bench_floor")
        if self.get(key, url).status_code != 200:
            return None
        self.get("bureau", floor)
        page, base = [], []
        for _ in range(self.reps):
            if cold:
                cache.clear()
            t = time.perf_counter()
            self.get(key, url)
            page.append(time.perf_counter() - t)
            t = time.perf_counter()
            self.get("bureau", floor)
            base.append(time.perf_counter() - t)
        return page, base

    def page_p95_beside_floor(
        self, key: str, url: str, *, cold: bool = False
    ) -> tuple[float | None, float | None, str]:
        """(p95 of the page, p95 of the floor requests between its requests, note)."""
        times = self.beside_floor(key, url, cold=cold)
        if times is None:
            return None, None, f"HTTP {self.get(key, url).status_code}"
        return p95(times[0]), p95(times[1]), ""

    def county_pages(self) -> list[tuple[str, str, str | None]]:
        """(label, user key, url) of target 1."""
        from reviews.models import InspectionCampaign

        campaign = InspectionCampaign.objects.filter(region_id=self.county_id).order_by("-pk").first()
        county_code = Region.objects.get(pk=self.county_id).code  # the public list of this county
        return [
            ("案卷列表 case list", "bureau", reverse("cases:list")),
            ("评查队列 review queue", "legal", reverse("reviews:index")),
            (
                "层级监督检查 inspection",
                "bureau",
                reverse("reviews:campaign", args=[campaign.pk]) if campaign else reverse("reviews:campaigns"),
            ),
            ("容错申请 tolerance list", "bureau", reverse("tolerance:index")),
            ("统计看板 dashboard", "bureau", reverse("statistics:dashboard")),
            ("持证人员公开 public list", "anonymous", f"{reverse('public:certificates')}?region={county_code}"),
        ]

    def query_profile(self) -> dict[str, dict]:
        """Per page: number of queries and the case-table statements (for EXPLAIN)."""
        from django.core.cache import cache

        out = {}
        for label, key, url in self.county_pages():
            self.get(key, url)  # warm: per-process caches (content types, sessions)
            cache.clear()  # count the queries of an uncached page
            with CaptureQueriesContext(connection) as ctx:
                status = self.get(key, url).status_code
            sqls = [q["sql"] for q in ctx.captured_queries]
            out[label] = {
                "status": status,
                "queries": len(sqls),
                "case_sql": [s for s in sqls if "cases_casefile" in s],
            }
        return out

    # --- province statistics (targets 4, 5) ----------------------------------------------

    def province_page(self) -> str | None:
        """The province dashboard's URL when the project serves one to the province user: the
        statistics dashboard rendering a province template (or a dedicated URL name)."""
        if "province" not in self.users:
            return None
        for url in [reverse_first(PROVINCE_PAGE_NAMES), reverse("statistics:dashboard")]:
            if not url:
                continue
            response = self.get("province", url)
            names = [t.name for t in (response.templates or []) if t.name]
            if response.status_code == 200 and any("province" in n for n in names):
                return url
        return None

    def province_stats_ms(self) -> tuple[float, float | None, str]:
        """(time of the province statistics, the floor page's time measured alongside, how): the
        province dashboard with its cache cleared (median of cold requests, each followed by a
        floor page request), else the raw aggregate it would need (county × category for the
        year, from the case table)."""
        url = self.province_page()
        times = self.beside_floor("province", url, cold=True) if url else None
        if times:
            page, base = times
            how = f"province dashboard, cache cleared before each request (median of {self.reps})"
            return ms(statistics.median(page)), ms(statistics.median(base)), how
        year = self.today.year

        def raw():
            return list(
                CaseFile.objects.filter(department__region__parent_id=self.st.province_id, year=year)
                .values("department__region_id", "category_id")
                .annotate(n=Count("filed_on"))
                .order_by()
            )

        return ms(statistics.median(timings(raw, max(3, self.reps // 5), warm=1))), None, "raw aggregate (no summary)"

    def snapshot(self) -> dict:
        """What is compared between two data sizes (targets 4 and 6)."""
        prof = self.query_profile()
        stats_ms, floor_ms, how = self.province_stats_ms()
        return {
            "n_cases": CaseFile.objects.count(),
            "queries": {k: v["queries"] for k, v in prof.items()},
            "province_stats_ms": stats_ms,
            "floor_ms": floor_ms,
            "province_stats_how": how,
        }

    # --- S: raw SQL references (target 2) --------------------------------------------------

    def _period(self) -> tuple[datetime.date, datetime.date]:
        year = self.today.year
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)

    def orm_vs_sql(self) -> list[Row]:
        from django.conf import settings

        from cases import selectors as case_selectors
        from stats import selectors as stat_selectors

        bureau = self.users["bureau"]
        start, end = self._period()
        days = settings.RULES["REV_5_TRANSFER_DAYS"]
        cutoff = self.today - datetime.timedelta(days=days)
        dscope = stat_selectors.dashboard_scope(bureau)
        pg = connection.vendor == "postgresql"
        gap = (
            "(c.transferred_for_review_on - c.closed_on) <= %s"
            if pg
            else "(julianday(c.transferred_for_review_on) - julianday(c.closed_on)) <= %s"
        )
        join = "FROM cases_casefile c JOIN org_department d ON d.id = c.department_id WHERE d.region_id = %s"
        months = []
        month_params: list = []
        for m in range(1, 13):
            ms_, me = stat_selectors._month_range(start.year, m)
            months.append("SUM(CASE WHEN c.filed_on BETWEEN %s AND %s THEN 1 ELSE 0 END)")
            months.append("SUM(CASE WHEN c.closed_on BETWEEN %s AND %s THEN 1 ELSE 0 END)")
            month_params += [ms_, me, ms_, me]
        reviewable = "c.closed_on BETWEEN %s AND %s AND c.reconsideration = 'none' AND c.litigation = 'none'"
        figures_sql = (
            "SELECT SUM(CASE WHEN c.filed_on BETWEEN %s AND %s THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN c.closed_on BETWEEN %s AND %s THEN 1 ELSE 0 END), "
            "COALESCE(SUM(CASE WHEN c.decided_on BETWEEN %s AND %s THEN c.fine_amount + c.confiscation_amount END), 0), "
            "SUM(CASE WHEN c.filed_on BETWEEN %s AND %s AND c.hearing_held THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {reviewable} AND (c.transferred_for_review_on IS NOT NULL OR c.closed_on < %s) "
            "THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN {reviewable} AND {gap} THEN 1 ELSE 0 END), " + ", ".join(months) + f" {join} "
            "AND (c.filed_on BETWEEN %s AND %s OR c.closed_on BETWEEN %s AND %s OR c.decided_on BETWEEN %s AND %s)"
        )
        figures_params = (
            [start, end] * 4
            + [start, end, cutoff, start, end, days]
            + month_params
            + [self.county_id]
            + [start, end] * 3
        )
        table_sql = (
            'SELECT d.id, d.name, d.short_name, d."order", '
            "SUM(CASE WHEN c.filed_on BETWEEN %s AND %s THEN 1 ELSE 0 END) AS filed, "
            "SUM(CASE WHEN c.closed_on BETWEEN %s AND %s THEN 1 ELSE 0 END), "
            "COALESCE(SUM(CASE WHEN c.decided_on BETWEEN %s AND %s THEN c.fine_amount + c.confiscation_amount END), 0), "
            "SUM(CASE WHEN c.filed_on BETWEEN %s AND %s AND c.hearing_held THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN c.closed_on < %s AND c.transferred_for_review_on IS NULL AND c.reconsideration = 'none' "
            "AND c.litigation = 'none' THEN 1 ELSE 0 END) "
            "FROM org_department d LEFT JOIN cases_casefile c ON c.department_id = d.id "
            "WHERE d.region_id = %s AND d.kind IN ('county_department', 'township') "
            'GROUP BY d.id, d.name, d.short_name, d."order" ORDER BY filed DESC, d."order", d.id'
        )
        table_params = [start, end] * 4 + [cutoff, self.county_id]
        # the same question: the newest 50 files with department, category, handler and the
        # co-handlers' names (aggregated per file in the same statement)
        agg = "string_agg(co.name, '、' ORDER BY ch.id)" if pg else "group_concat(co.name, '、')"
        list_sql = (
            "SELECT c.id, c.number, c.title, c.status, c.filed_on, c.closed_on, c.fine_amount, c.reconsideration, "
            "c.litigation, d.short_name, cat.name, o.name, "
            f"(SELECT {agg} FROM cases_casefile_co_handlers ch JOIN org_officer co ON co.id = ch.officer_id "
            "WHERE ch.casefile_id = c.id) FROM cases_casefile c "
            "JOIN org_department d ON d.id = c.department_id JOIN cases_casecategory cat ON cat.id = c.category_id "
            "JOIN org_officer o ON o.id = c.main_handler_id WHERE d.region_id = %s "
            "ORDER BY c.filed_on DESC, c.id DESC LIMIT 50"
        )
        from cases.filters import SORTS

        def visible():
            return case_selectors.case_files_visible_to(bureau)

        questions = [
            (
                "案卷列表第1页 case list page 1",
                # the rows as the list page reads them (51: the page and one to know there is a next)
                lambda: (
                    case_selectors.keyset_page(
                        case_selectors.list_rows(visible()), SORTS["-filed"], size=50, counted=False
                    ).object_list
                ),
                list_sql,
                [self.county_id],
            ),
            (
                # What the list page runs for its total (cases.selectors.capped_count: exact up to
                # 10,000, then "10,000 件以上"), against the raw COUNT(*) an exact total needs.
                "案卷计数 case list count",
                lambda: case_selectors.capped_count(visible()),
                f"SELECT COUNT(*) {join}",
                [self.county_id],
            ),
            (
                "看板总数 dashboard figures",
                lambda: stat_selectors.case_figures(dscope, start.year, self.today),
                figures_sql,
                figures_params,
            ),
            (
                "看板部门表 dashboard departments",
                lambda: stat_selectors.department_table(dscope, start.year, self.today),
                table_sql,
                table_params,
            ),
        ]
        rows = []
        for what, orm, sql, params in questions:
            cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                orm()
            # the statements that read (not the savepoints around them)
            statements = [
                q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
            ]
            if not statements or any(db_ms(q) is None for q in statements):
                rows.append(Row("2", f"数据库执行时间 DB time vs S: {what}", None, None, None, 1.25, False,
                                note=f"{len(statements)} statements, not all could be explained"))  # fmt: skip
                continue
            xs, xo = [], []
            for _ in range(self.reps):  # alternately, so a drift of the machine falls on both
                xs.append(db_ms(sql, params))
                xo.append(sum(db_ms(q) for q in statements))
            s, o = statistics.median(xs), statistics.median(xo)
            seq = [x for x in (_seq_scan(q) for q in statements if "cases_casefile" in q) if x]
            ratio = o / s if s else None
            ok = ratio is not None and ratio <= 1.25 and not seq
            rows.append(
                Row(
                    "2",
                    f"数据库执行时间 DB time vs S: {what}",
                    round(o, 3),
                    round(1.25 * s, 3),
                    round(ratio, 2) if ratio else None,
                    1.25,
                    ok,
                    note=f"S={round(s, 3)} ms; {len(statements)} statement(s), "
                    + ("EXPLAIN ANALYZE execution time" if pg else "SQLite: statement wall time (no EXPLAIN ANALYZE)")
                    + (", median; Seq Scan on cases_casefile" if seq else ", median; no seq scan"),
                )
            )
        return rows

    # --- the run --------------------------------------------------------------------------

    def run(self, *, small: dict | None, load: dict) -> list[Row]:
        with override_settings(**BENCH_SETTINGS):
            return self._run(small, load)

    def _run(self, small: dict | None, load: dict) -> list[Row]:
        rows: list[Row] = []
        floor = reverse("bench_floor")
        f, note = self.page_p95("bureau", floor)
        if f is None:
            raise RuntimeError(f"floor page failed: {note}")
        self.F = f
        # performance.md's floors were measured at F ≈ 8 ms; the absolute targets (9: a PDF in 0.5 s,
        # 10: 1M files in 60 s) assume a machine that fast, so the row says how this one compares.
        speed = f"{f / REFERENCE_F:.1f}× performance.md's reference F of {ms(REFERENCE_F):g} ms"
        rows.append(Row("F", "底线页 floor page (50 rows, p95)", ms(f), None, None, None, None, note=speed))
        self.log(f"F = {ms(f)} ms")

        # 1. county pages, each timed alternately with the floor page: the page's p95 against the p95
        # of the floor requests made between its requests, so that a drift of this shared machine
        # during the run (the floor page measured 15–32 ms in runs of one evening) falls on both.
        # Production configuration: the dashboard cache is on, so the dashboard's row is the warm
        # page (≤ 2.5 × F) and a cache miss is its own row (≤ 5 × F).
        for label, key, url in self.county_pages():
            passes = [(label, False, 2.5)]
            if "dashboard" in label:
                passes.append((label + ": cache miss", True, 5.0))
            for what, cold, k in passes:
                t, fb, note = self.page_p95_beside_floor(key, url, cold=cold)
                note = note or ("cache cleared before each request" if cold else "")
                if t is None:
                    rows.append(Row("1", f"县级页面 {what}", None, ms(k * f), None, k, False, note=note))
                else:
                    note = (note + "; " if note else "") + f"F beside it {ms(fb)} ms"
                    rows.append(
                        Row("1", f"县级页面 {what}", ms(t), ms(k * fb), round(t / fb, 2), k, t <= k * fb, note=note)
                    )
                self.log(f"1 {what}: {rows[-1].measured} ms")

        # 2. ORM vs S, and EXPLAIN of every case-table statement the pages run
        rows.extend(self.orm_vs_sql())
        prof = self.query_profile()
        scanned, explained = [], 0
        for label, p in prof.items():
            for sql in p["case_sql"]:
                res = _seq_scan(sql)
                if res is not None:
                    explained += 1
                if res:
                    scanned.append(label)
        rows.append(
            Row(
                "2",
                "页面查询无全表扫描 no seq scan in page queries",
                float(len(scanned)),
                0.0,
                None,
                None,
                not scanned,
                unit="",
                note=f"{explained} statements explained"
                + (f"; Seq Scan in: {', '.join(sorted(set(scanned)))}" if scanned else ""),
            )
        )
        self.log("2 done")

        # 3. page depth of the province case list
        rows.append(self.page_depth())
        self.log("3 done")

        # 4. province statistics at two sizes; 6. query counts at two sizes
        now = self.snapshot()
        if small:
            growth = now["n_cases"] / max(1, small["n_cases"])
            # The two sizes are measured minutes apart, and this shared machine's speed drifts
            # between them (the floor page alone measured 18 and 32 ms in two runs ten minutes
            # apart). So each size's time is taken beside the floor page, whose work does not
            # depend on the number of files, and the ratio compares page / floor at the two
            # sizes; the raw times are in the note.
            drift = now["floor_ms"] / small["floor_ms"] if now.get("floor_ms") and small.get("floor_ms") else 1.0
            limit = 1.2 * small["province_stats_ms"] * drift
            r = 1.2 * now["province_stats_ms"] / limit if limit else None
            missing = "raw aggregate" in now["province_stats_how"]
            floors = (
                f"; floor page beside it {small['floor_ms']} → {now['floor_ms']} ms, "
                f"raw ratio {now['province_stats_ms'] / small['province_stats_ms']:.2f}"
                if now.get("floor_ms") and small.get("floor_ms") and small["province_stats_ms"]
                else ""
            )
            rows.append(
                Row(
                    "4",
                    f"省级统计 province statistics at {now['n_cases']:,} vs {small['n_cases']:,} ({growth:.1f}×)",
                    now["province_stats_ms"],
                    round(limit, 2),
                    round(r, 2) if r else None,
                    1.2,
                    bool(r is not None and r <= 1.2 and not missing),
                    note=("missing: " if missing else "")
                    + now["province_stats_how"]
                    + f"; {small['province_stats_ms']} ms at the smaller size"
                    + floors,
                )
            )
            differ = {
                k: (small["queries"].get(k), v) for k, v in now["queries"].items() if small["queries"].get(k) != v
            }
            rows.append(
                Row(
                    "6",
                    "查询次数两种规模相同 query count same at two sizes",
                    float(len(differ)),
                    0.0,
                    None,
                    None,
                    not differ,
                    unit="pages",
                    note="; ".join(f"{k}: {a}→{b}" for k, (a, b) in differ.items()) or "all equal",
                    extra={"small": small["queries"], "large": now["queries"]},
                )
            )
        else:
            rows.append(Row("4", "省级统计 province statistics", now["province_stats_ms"], None, None, 1.2, None,
                            note="reused data: one size only"))  # fmt: skip
            rows.append(Row("6", "查询次数 query count", None, None, None, None, None, note="reused data: one size"))
        self.log("4/6 done")

        # 5. province dashboard
        url = self.province_page()
        what = "省级看板 province dashboard"
        if url:
            t, note = self.page_p95("province", url, cold=True)
            warm, _n = self.page_p95("province", url)
            if t is None:
                rows.append(Row("5", what, None, ms(5 * f), None, 5.0, False, note=note))
            else:
                note = f"cache cleared before each request; with cache {ms(warm)} ms"
                rows.append(Row("5", what, ms(t), ms(5 * f), round(t / f, 2), 5.0, t <= 5 * f, note=note))
        else:
            rows.append(Row("5", what, None, ms(5 * f), None, 5.0, False, note="missing: no province dashboard"))
        self.log("5 done")

        # 7. sampling
        rows.extend(self.sampling())
        self.log("7 done")

        # 8. exports
        rows.extend(self.exports())
        self.log("8 done")

        # 9. PDFs
        rows.extend(self.pdfs())
        self.log("9 done")

        # 11. under load; 12. imports
        rows.append(self.under_load())
        rows.extend(self.imports())
        self.log("11/12 done")

        # 10. loader
        n, secs = load.get("n"), load.get("seconds")
        if secs is None:
            rows.append(Row("10", "生成数据 data generation 1M", None, 60.0, None, None, None, unit="s",
                            note="reused data: not measured"))  # fmt: skip
        else:
            per_million = secs * 1_000_000 / n
            rows.append(
                Row(
                    "10",
                    "生成数据 data generation 1M case files",
                    round(per_million, 1),
                    60.0,
                    round(per_million / 60, 2),
                    1.0,
                    per_million <= 60 and load.get("method") == "COPY",
                    unit="s",
                    note=f"{load.get('method')} of {n:,} files in {secs:.1f} s into {case_indexes()} indexes"
                    + ("" if n >= 1_000_000 else " (extrapolated to 1M)")
                    + (f"; related rows {load.get('related_seconds', 0):.1f} s" if load.get("related_seconds") else ""),
                )
            )
        return rows

    def under_load(self) -> Row:
        """Target 11 needs locust (50 users against gunicorn); the harness does not install it."""
        what = "负载下 under load: 50 users, p95 ≤ 5 × F, throughput ≥ 0.3 × floor, no errors"
        try:
            import locust  # noqa: F401
        except ImportError:
            return Row("11", what, None, None, None, 5.0, False, note="not measured: locust not installed")
        return Row("11", what, None, None, None, 5.0, False, note="not measured: the load run is not written yet")

    def imports(self) -> list[Row]:
        """Target 12: ledger preview + confirm of N rows against ``bulk_create`` of N rows, and
        2N rows against N rows (benchmarks.imports)."""
        from .imports import LedgerBench

        n = self.ledger_rows
        try:
            m = LedgerBench(self.users["legal"]).measure(n)
        except RuntimeError as exc:
            return [Row("12", f"台账导入 ledger import {n:,} rows", None, None, None, 30.0, False, note=str(exc))]
        r1 = m["one"] / m["bulk_create"]
        r2 = m["two"] / m["one"]
        return [
            Row("12", f"台账导入 ledger preview+confirm {n:,} rows vs bulk_create", ms(m["one"]),
                ms(30 * m["bulk_create"]), round(r1, 1), 30.0, r1 <= 30,
                note=f"bulk_create of the same rows {ms(m['bulk_create'])} ms"),
            Row("12", f"台账导入 ledger {2 * n:,} rows vs {n:,} rows (linear)", ms(m["two"]), ms(2.2 * m["one"]),
                round(r2, 2), 2.2, r2 <= 2.2, note=f"{n:,} rows {ms(m['one'])} ms"),
        ]  # fmt: skip

    def page_depth(self) -> Row:
        """Target 3: the last page of the province case list against its first page. Keyset
        lists are asked for ``last=1``; a numbered paginator for its last page number."""
        url = reverse("cases:list")
        key, who = "bureau_big", "largest county (the province user sees no case list)"
        if "province" in self.users:
            response = self.get("province", url)
            page = response.context.get("page") if response.context else None
            if response.status_code == 200 and page is not None and len(getattr(page, "object_list", [])):
                key, who = "province", "province user"
        try:
            from cases.views import PAGING_PARAMS
        except ImportError:
            PAGING_PARAMS = ()
        if "last" in PAGING_PARAMS:
            last_url, how = f"{url}?last=1", "keyset last=1"
        else:
            qs = CaseFile.objects.filter(
                **(
                    {"department__region__parent_id": self.st.province_id}
                    if key == "province"
                    else {"department__region_id": self.big_county_id}
                )
            )
            last_url, how = f"{url}?page={max(1, math.ceil(qs.count() / 50))}", "page number"
        reps = max(5, self.reps // 2)
        first_t, n1 = self.page_p95(key, url, reps=reps)
        last_t, n2 = self.page_p95(key, last_url, reps=reps)
        if first_t is None or last_t is None:
            return Row("3", "末页/首页 last vs first page", None, None, None, 1.5, False, note=f"{n1}{n2} {who}")
        r = last_t / first_t
        note = f"{who}; {how}; first page {ms(first_t)} ms"
        return Row(
            "3",
            "省级案卷列表末页/首页 last vs first page",
            ms(last_t),
            ms(1.5 * first_t),
            round(r, 2),
            1.5,
            r <= 1.5 and key == "province",
            note=note if key == "province" else "missing province list: " + note,
        )

    def sampling(self) -> list[Row]:
        from reviews.models import InspectionCampaign
        from reviews.sampling import compute_draw, make_seed

        year = self.today.year - 1
        seed_date = datetime.date(self.today.year, 1, 5)
        seed = make_seed("基准随机数", seed_date)
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        pg = connection.vendor == "postgresql"
        key = "sha256(convert_to(%s || ':' || c.id::text, 'UTF8'))" if pg else "c.id"
        rows = []
        for label, region_id, county_ids in (
            ("一个县 one county", self.county_id, [self.county_id]),
            ("全省 whole province", self.st.province_id, self.st.county_ids),
        ):
            campaign = InspectionCampaign(
                region_id=region_id,
                year=self.today.year,
                title="bench",
                period_start=start,
                period_end=end,
                public_value="基准随机数",
                seed_date=seed_date,
                seed=seed,
                sample_size=5,
            )
            marks = ", ".join(["%s"] * len(county_ids))
            sql = (
                "SELECT id, department_id, grp FROM (SELECT c.id, c.department_id, cat.sampling_group AS grp, "
                f"ROW_NUMBER() OVER (PARTITION BY c.department_id, cat.sampling_group ORDER BY {key}) AS rn "
                "FROM cases_casefile c JOIN org_department d ON d.id = c.department_id "
                "JOIN cases_casecategory cat ON cat.id = c.category_id "
                f"WHERE d.region_id IN ({marks}) AND c.closed_on BETWEEN %s AND %s AND cat.sampling_group <> '' "
                "AND c.reconsideration = 'none' AND c.litigation = 'none') s WHERE rn <= %s"
            )
            params = ([seed] if pg else []) + list(county_ids) + [start, end, 5]
            # one county: the page's reps; the whole province (a second or so each): a third
            reps = self.reps if len(county_ids) == 1 else max(3, self.reps // 3)

            def raw(sql=sql, params=params):
                with connection.cursor() as cur:
                    cur.execute(sql, params)
                    return cur.fetchall()

            sql_ids = {r[0] for r in raw()}
            draw = compute_draw(campaign)
            s, o = paired_medians(raw, lambda c=campaign: compute_draw(c), reps)
            got = draw.case_ids()
            same = got == sql_ids if pg else len(got) == len(sql_ids)
            r = o / s if s else None
            rows.append(
                Row(
                    "7",
                    f"随机抽样 sampling, {label}",
                    ms(o),
                    ms(2 * s),
                    round(r, 2) if r else None,
                    2.0,
                    bool(r is not None and r <= 2 and same),
                    note=f"S={ms(s)} ms; draw {len(got)} files, SQL {len(sql_ids)}" + ("" if same else " (differ)"),
                )
            )
        return rows

    # --- 8. exports ---------------------------------------------------------------------

    def _export_request(self, key: str, url: str) -> tuple[float, object, str | None]:
        """One export request, timed: (seconds, response, id of the job it queued or None). A
        request over the per-user limit queues nothing (it lands on an older job): that is not
        an export and is refused here, so every timed request is a real enqueue."""
        from django.urls import resolve

        from xian_enforcement.jobs.models import ExportJob

        before = set(ExportJob.objects.filter(owner=self.users[key]).values_list("pk", flat=True))
        started = time.perf_counter()
        response = self.get(key, url)
        took = time.perf_counter() - started
        job_id = None
        if response.status_code in (302, 303) and response.get("Location"):
            match = resolve(response["Location"].split("?")[0])
            if match.view_name == "jobs:detail":
                job_id = str(match.kwargs["pk"])
                if ExportJob.objects.filter(pk=job_id).values_list("pk", flat=True).first() in before:
                    raise RuntimeError(f"{url}: no job queued (per-user export limit reached)")
        return took, response, job_id

    def _export_run(self, key: str, job_id: str) -> tuple[float, str]:
        """Run the queued job in this process as the worker does (``export_job_run``), timed; then
        what the user sees: the progress fragment with its download link, and the download.
        Returns (seconds, note); the job's file is removed afterwards (the bench keeps nothing)."""
        from xian_enforcement.jobs.models import ExportJob
        from xian_enforcement.jobs.services import export_job_run

        queued = self.get(key, reverse("jobs:progress", args=[job_id])).content.decode()
        started = time.perf_counter()
        job = export_job_run(job_id)
        took = time.perf_counter() - started
        fragment = self.get(key, reverse("jobs:progress", args=[job_id])).content.decode()
        download = self.get(key, reverse("jobs:download", args=[job_id]))
        link = reverse("jobs:download", args=[job_id]) in fragment
        ok = job.status == "done" and link and download.status_code == 200
        note = (
            f"job {job.status}, {job.rows_done:,} rows; progress page: "
            + ("排队中" if "排队中" in queued else "?")
            + " → "
            + ("download link" if link else "no link")
            + f"; download HTTP {download.status_code}"
        )
        if hasattr(download, "close"):
            download.close()
        job = ExportJob.objects.get(pk=job_id)
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job_id).delete()
        return (took if ok else float("nan")), note

    def _retire_export_jobs(self, key: str) -> int:
        """Delete the user's unfinished export jobs (left by an earlier run of the bench on a
        reused database: with no worker they stay queued and would count against the per-user
        limit). Returns how many."""
        from xian_enforcement.jobs.services import export_jobs_active

        return export_jobs_active(self.users[key]).delete()[0]

    def exports(self) -> list[Row]:
        """Target 8. County-wide exports run in the background (issue 13), so what a user gets is
        two things, measured separately: the request that queues the job and sends them to its
        progress page (the web tier's cost, ≤ 4 × F), and the job's run, timed in this process as
        the worker runs it (``export_job_run``: the workbook, the file, the audit row). Each
        queued job is completed before the next request, so the per-user limit
        (EXPORT_JOBS_PER_USER) is never what is timed; queue latency (how soon a worker picks the
        job up) depends on the deployment's workers and is not included."""
        f = self.F
        rows = []
        retired = self._retire_export_jobs("bureau")

        # The county statistics workbook: each request queues a job, the job is run, then the next.
        url = reverse("statistics:county_export")
        reps = max(5, self.reps // 3)
        enqueue, run, notes = [], [], []
        try:
            for n in range(reps + 1):
                took, response, job_id = self._export_request("bureau", url)
                if job_id is None:
                    raise RuntimeError(f"HTTP {response.status_code}, no background job")
                ran, note = self._export_run("bureau", job_id)
                if n:  # the first is the warm-up: it also connects to the broker (450 ms once)
                    enqueue.append(took)
                    run.append(ran)
                notes.append(note)
        except RuntimeError as exc:
            rows.append(Row("8", "统计导出 statistics export", None, ms(4 * f), None, 4.0, False, note=str(exc)))
        else:
            t, r = p95(enqueue), p95(run)
            rows.append(Row("8", "统计导出 statistics export: request (queues the job)", ms(t), ms(4 * f),
                            round(t / f, 2), 4.0, t <= 4 * f, note=f"p95 of {len(enqueue)}; redirect to the progress page"))  # fmt: skip
            rows.append(Row("8", "统计导出 statistics export: job run (county xlsx)", ms(r), ms(4 * f),
                            round(r / f, 2) if r == r else None, 4.0, r <= 4 * f,
                            note=f"p95 of {len(run)} runs in-process (median {ms(statistics.median(run))} ms); {notes[-1]}"))  # fmt: skip

        # The county case list (> 10,000 rows at county scale): ten requests, each queueing a job;
        # one job is run in full (50,000 rows), the other nine are retired unrun (deleted) before
        # the next request so the per-user limit never decides the answer.
        from xian_enforcement.jobs.models import ExportJob

        total = CaseFile.objects.filter(department__region_id=self.county_id).count()
        what = f"大导出后台 export >10k rows in background ({total:,} rows)"
        url = reverse("cases:export")
        times, response, job_id, error = [], None, None, ""
        try:
            for n in range(11):
                took, response, job_id = self._export_request("bureau", url)
                if job_id is None:
                    break
                if n:
                    times.append(took)
                if n < 10:
                    ExportJob.objects.filter(pk=job_id).delete()
        except RuntimeError as exc:
            error = str(exc)
        synchronous = (
            response is not None
            and response.status_code == 200
            and "attachment" in response.get("Content-Disposition", "")
        )
        if error or job_id is None or not times:
            note = error or ("synchronous xlsx in the request" if synchronous else f"HTTP {response.status_code}")
            rows.append(Row("8", what, None, ms(4 * f), None, 4.0, False if total > 10_000 else None, note=note))
        else:
            took = p95(times)
            ran, run_note = self._export_run("bureau", job_id)
            if total <= 10_000:
                rows.append(Row("8", what + ": request", ms(took), None, None, None, None,
                                note="n/a: not more than 10,000 rows here; " + run_note))  # fmt: skip
            else:
                rows.append(Row("8", what + ": request (queues the job)", ms(took), ms(4 * f), round(took / f, 2),
                                4.0, took <= 4 * f, note="p95 of ten; " + run_note))  # fmt: skip
            rows.append(Row("8", what + ": job run", ms(ran) if ran == ran else None, None, None, None,
                            ran == ran if total > 10_000 else None,
                            note=f"in-process, as the worker; {total / ran if ran else 0:,.0f} rows/s"
                            if ran == ran else run_note))  # fmt: skip
        if retired:
            rows[-1].note += f"; {retired} unfinished job(s) of an earlier run retired first"
        return rows

    def pdfs(self) -> list[Row]:
        from reviews.models import SelfReview

        review = (
            SelfReview.objects.filter(case_file__department__region_id=self.county_id)
            .select_related("case_file", "template")
            .first()
        )
        if review is None:
            return [Row("9", "PDF", None, 500.0, None, None, False, note="no self-review record generated")]
        import logging

        from reviews import pdf

        for name in ("weasyprint", "fontTools"):  # missing-glyph warnings, one per character
            logging.getLogger(name).setLevel(logging.ERROR)
        rows = []

        def notice(review):  # as issued: the number comes from the unit's sequence, not allocated here
            return pdf.notice_pdf(review, document_number="隰县评查〔2026〕1号")

        for label, fn in (("评查记录 review record PDF", pdf.record_pdf), ("通知书 notice PDF", notice)):
            try:
                xs = timings(lambda fn=fn: fn(review), max(1, min(5, self.reps // 6)), warm=1)
            except Exception as exc:
                rows.append(Row("9", label, None, 500.0, None, None, False, note=f"error: {exc}"))
                continue
            worst = max(xs)
            rows.append(Row("9", label, ms(worst), 500.0, round(worst / 0.5, 2), 1.0, worst <= 0.5, note="max of runs"))
        return rows


def case_indexes() -> int:
    """How many indexes the case table carries (each one costs the loader)."""
    sql = (
        "SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'cases_casefile'"
        if connection.vendor == "postgresql"
        else "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases_casefile'"
    )
    with connection.cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()[0]


def table(rows: list[Row]) -> str:
    head = ("#", "what", "measured", "limit", "ratio", "result")
    lines = []
    for r in rows:
        unit = f" {r.unit}" if r.unit else ""
        measured = "missing" if r.measured is None and "missing" in r.note else (
            "-" if r.measured is None else f"{r.measured:g}{unit}"
        )  # fmt: skip
        limit = "-" if r.limit is None else f"{r.limit:g}{unit}"
        ratio = "-" if r.ratio is None else f"{r.ratio:g}" + (f" (≤{r.limit_ratio:g})" if r.limit_ratio else "")
        result = {True: "pass", False: "FAIL", None: "n/a"}[r.ok]
        lines.append((r.target, r.what + (f" [{r.note}]" if r.note else ""), measured, limit, ratio, result))
    widths = [max(len(str(x[i])) for x in [head, *lines]) for i in range(len(head))]
    out = [" | ".join(str(h).ljust(w) for h, w in zip(head, widths, strict=True))]
    out.append("-+-".join("-" * w for w in widths))
    out += [" | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines]
    return "\n".join(out)


def as_json(rows: list[Row], meta: dict) -> dict:
    return {
        "meta": meta,
        "rows": [asdict(r) for r in rows],
        "all_pass": all(r.ok is not False for r in rows),
        "failed": [f"{r.target} {r.what}" for r in rows if r.ok is False],
    }
