"""Synthetic benchmark data (performance.md "How big the data gets", target 10).

A province ``Region`` with county ``Region`` children, 30–40 departments per county, officers
with certificates, and case files with a Zipf-like skew across counties, departments,
categories and penalty kinds, spread over ten years. Case files go in bulk: ``COPY`` on
PostgreSQL, ``bulk_create`` elsewhere (the SQLite test). Self-reviews and penalty links are
added with one ``INSERT … SELECT`` each; tolerance applications, statistics reports and
inspection campaigns are a few ORM ``bulk_create`` calls.

Everything is deterministic for a given seed. The loader never drops a constraint; a large
load drops the case table's secondary indexes and builds them again afterwards (in the time it
reports), and checks that the table ends with exactly the indexes the migrations define.
"""

from __future__ import annotations

import copy
import datetime
import itertools
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from cases.choices import CaseStatus, LitigationState, PartyKind, ReconsiderationState
from cases.models import CaseCategory, CaseFile, PenaltyKind
from xian_enforcement.org.choices import CertificateStatus, DepartmentKind, Role, UnitKind
from xian_enforcement.org.models import Certificate, Department, Officer, OrgUnit, Region

PROVINCE_CODE = "149900"
PROVINCE_POST = "省司法厅工作人员"
SCALES = {"county": (1, 50_000), "province": (117, 1_000_000)}
YEARS = 10
# Relative case volume per category (行政检查 and 行政处罚 dominate, the rest are rare).
CATEGORY_WEIGHTS = {
    "punishment": 40,
    "inspection": 30,
    "licensing": 12,
    "coercion": 6,
    "confirmation": 4,
    "levy": 2,
    "payment": 2,
    "requisition": 1,
    "adjudication": 1,
    "other": 2,
}
COUNTY_DEPARTMENTS = [
    "市场监督管理局", "公安局", "交通运输局", "生态环境局", "自然资源局", "住房和城乡建设局", "农业农村局",
    "卫生健康局", "应急管理局", "文化和旅游局", "水利局", "林业局", "教育局", "人力资源和社会保障局",
    "医疗保障局", "城市管理局", "税务局", "民政局", "商务局", "统计局", "审计局", "粮食局", "气象局",
]  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志文斌"
TITLES = ["未按规定公示信息", "无证经营", "超限运输", "违规排放", "占道经营", "违法建设", "安全生产隐患"]


@dataclass
class Structure:
    """What the loader needs to know about the organisation it built."""

    province_id: int
    county_ids: list[int]
    # enforcement departments: (id, county id, short name) and their case weight
    departments: list[tuple[int, int, str]] = field(default_factory=list)
    dept_weights: list[float] = field(default_factory=list)
    officers: dict[int, list[int]] = field(default_factory=dict)  # department id -> officer ids
    legal_officers: dict[int, int] = field(default_factory=dict)  # department id -> officer id
    users: dict[str, int] = field(default_factory=dict)  # role key -> user id (measured county)
    province_user_id: int | None = None


def zipf(n: int, s: float, rng: random.Random) -> list[float]:
    """Zipf-like weights 1/rank^s for n items, in a shuffled order."""
    weights = [1 / (rank**s) for rank in range(1, n + 1)]
    rng.shuffle(weights)
    return weights


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def structure_build(counties: int, *, seed: int = 7) -> Structure:
    """Regions, departments, units, officers (users, roles, certificates). Idempotent per
    database: ``structure_load`` reads it back on ``--reuse``."""
    rng = random.Random(seed)
    User = get_user_model()
    today = timezone.localdate()
    groups = {g.name: g for g in Group.objects.all()}
    with transaction.atomic():
        province = Region.objects.create(code=PROVINCE_CODE, name="基准省")
        county_regions = Region.objects.bulk_create(
            [Region(code=f"14{i + 1:04d}", name=f"基准{i + 1:03d}县", parent=province) for i in range(counties)]
        )
        depts = []
        for ci, county in enumerate(county_regions):
            n_dept = rng.randint(30, 40)
            names = list(COUNTY_DEPARTMENTS)
            rng.shuffle(names)
            for j in range(n_dept):
                if j == 0:
                    kind, name = DepartmentKind.BUREAU, "司法局"
                elif j == 1:
                    kind, name = DepartmentKind.GOVERNMENT, "人民政府"
                elif j - 2 < len(names) and j < 22:
                    kind, name = DepartmentKind.COUNTY_DEPARTMENT, names[j - 2]
                else:
                    kind, name = DepartmentKind.TOWNSHIP, f"第{j - 21}镇"
                depts.append(
                    Department(
                        region=county,
                        kind=kind,
                        name=f"{county.name}{name}",
                        short_name=name[:30],
                        code=f"BX{ci + 1:03d}{j:02d}",
                        order=j,
                    )
                )
        depts = Department.objects.bulk_create(depts)
        units = []
        for d in depts:
            units.append(OrgUnit(department=d, kind=UnitKind.LEGAL_OFFICE, name="法制股"))
            units.append(OrgUnit(department=d, kind=UnitKind.ENFORCEMENT, name="执法大队"))
        OrgUnit.objects.bulk_create(units)

        st = structure_load()

        # Officers: handlers in proportion to volume (2–25 per department), one legal officer
        # each; per county one bureau staff member and one leader.
        total_w = sum(st.dept_weights)
        plan: list[tuple[str, Department | None, Region, str, list[str]]] = []
        for (dept_id, _cid, _short), w in zip(st.departments, st.dept_weights, strict=True):
            n = max(2, min(25, round(6 * len(st.departments) * w / total_w)))
            plan.extend(("h", dept_id, None, "执法人员", [Role.HANDLER]) for _ in range(n))
            plan.append(("l", dept_id, None, "法制审核员", [Role.LEGAL_OFFICER]))
        bureau_of = {d.region_id: d.pk for d in depts if d.kind == DepartmentKind.BUREAU}
        for c in county_regions:
            plan.append(("b", bureau_of[c.pk], c.pk, "司法局工作人员", [Role.BUREAU_STAFF]))
            plan.append(("v", None, c.pk, "县领导", [Role.LEADER]))
        # A province-level user: judicial administration staff of the province (county-wide
        # role on the province region), who gets the province dashboard.
        plan.append(("p", None, province.pk, PROVINCE_POST, [Role.BUREAU_STAFF]))
        dept_region = {d.pk: d.region_id for d in depts}
        users = User.objects.bulk_create(
            [
                User(username=f"bench_{i:06d}", password="!bench-unusable", first_name=_name(rng), is_active=True)
                for i in range(len(plan))
            ]
        )
        officers = Officer.objects.bulk_create(
            [
                Officer(
                    user=u,
                    region_id=region_id or dept_region[dept_id],
                    department_id=dept_id,
                    name=u.first_name,
                    post=post,
                    is_enforcement_officer=kind in ("h", "l"),
                )
                for u, (kind, dept_id, region_id, post, _roles) in zip(users, plan, strict=True)
            ]
        )
        links = []
        for u, (_k, _d, _r, _p, roles) in zip(users, plan, strict=True):
            links.extend(User.groups.through(user_id=u.pk, group_id=groups[r].pk) for r in roles if r in groups)
        User.groups.through.objects.bulk_create(links)
        certs = []
        for o, (kind, *_rest) in zip(officers, plan, strict=True):
            if kind not in ("h", "l", "b"):
                continue
            start = today - datetime.timedelta(days=rng.randint(30, 5 * 365))
            certs.append(
                Certificate(
                    officer=o,
                    number=f"BX{o.pk:08d}",
                    issuing_organ="基准省人民政府",
                    valid_from=start,
                    valid_to=start + datetime.timedelta(days=6 * 365),
                    status=CertificateStatus.ACTIVE if rng.random() < 0.95 else CertificateStatus.SUSPENDED,
                )
            )
        Certificate.objects.bulk_create(certs)
    return structure_load()


def structure_load() -> Structure:
    """Read the structure back from the database (for ``--reuse`` and after building)."""
    province = Region.objects.get(code=PROVINCE_CODE)
    counties = list(Region.objects.filter(parent=province).order_by("code").values_list("pk", flat=True))
    st = Structure(province_id=province.pk, county_ids=counties)
    # Deterministic weights: the same on build and on --reuse.
    county_w = dict(zip(counties, zipf(len(counties), 1.0, random.Random(7)), strict=True))
    depts = list(
        Department.objects.filter(
            region_id__in=counties, kind__in=[DepartmentKind.COUNTY_DEPARTMENT, DepartmentKind.TOWNSHIP]
        )
        .order_by("region_id", "order")
        .values_list("pk", "region_id", "short_name")
    )
    by_county: dict[int, list] = {}
    for d in depts:
        by_county.setdefault(d[1], []).append(d)
    for cid, ds in by_county.items():
        ws = zipf(len(ds), 1.1, random.Random(cid * 31 + len(ds)))
        for d, w in zip(ds, ws, strict=True):
            st.departments.append(d)
            st.dept_weights.append(county_w[cid] * w / sum(ws))
    for pk, dept_id, post in Officer.objects.filter(department__region_id__in=counties).values_list(
        "pk", "department_id", "post"
    ):
        if post == "执法人员":
            st.officers.setdefault(dept_id, []).append(pk)
        elif post == "法制审核员":
            st.legal_officers[dept_id] = pk
    return st


def county_volumes(st: Structure) -> dict[int, float]:
    out: dict[int, float] = {}
    for (_d, cid, _s), w in zip(st.departments, st.dept_weights, strict=True):
        out[cid] = out.get(cid, 0) + w
    return out


# --- case files -------------------------------------------------------------------------------

COLUMNS = (
    "department_id", "year", "number", "category_id", "title", "party_kind", "party_name", "main_handler_id",
    "filed_on", "investigated_on", "decided_on", "served_on", "executed_on", "closed_on", "archived_on", "status",
    "fine_amount", "confiscation_amount", "hearing_held", "major_decision", "legal_review_by_id",
    "legal_review_on", "full_record_kept", "publicised_on", "publicity_url", "police_organ", "police_receipt",
    "reconsideration", "litigation", "transferred_for_review_on", "created_at", "updated_at",
)  # fmt: skip
STATUS_BY_STAGE = [
    CaseStatus.FILED,
    CaseStatus.INVESTIGATING,
    CaseStatus.DECIDED,
    CaseStatus.SERVED,
    CaseStatus.EXECUTED,
    CaseStatus.CLOSED,
    CaseStatus.ARCHIVED,
]


class CaseRows:
    """Generates case-file rows (tuples in ``COLUMNS`` order). Numbers are unique per
    (department, year) because each (department, year) has its own counter, which persists
    across calls so a second batch appends."""

    def __init__(self, st: Structure, *, seed: int = 1, today: datetime.date | None = None):
        self.st = st
        self.rng = random.Random(seed)
        self.today = today or timezone.localdate()
        # Numbers continue after what is already loaded (second batch, --reuse).
        self.counters: dict[tuple[int, int], int] = {
            (d, y): c for d, y, c in CaseFile.objects.values_list("department_id", "year").annotate(c=Count("pk"))
        }
        self.dept_choices = list(range(len(st.departments)))
        cats = {c.code: c.pk for c in CaseCategory.objects.all()}
        self.cat_ids = [cats[c] for c in CATEGORY_WEIGHTS if c in cats]
        self.cat_cum = list(itertools.accumulate(CATEGORY_WEIGHTS[c] for c in CATEGORY_WEIGHTS if c in cats))
        self.punishment_id = cats.get("punishment")
        self.dept_cum = list(itertools.accumulate(st.dept_weights))
        # Ten years, volume growing ~8 % a year.
        first = self.today.year - YEARS + 1
        self.years = list(range(first, self.today.year + 1))
        self.year_cum = list(itertools.accumulate(1.08**i for i in range(YEARS)))
        self.now = timezone.now()

    def part(self, k: int, parts: int) -> tuple[CaseRows, float]:
        """A generator for the departments of share ``k`` of ``parts`` (disjoint department sets,
        so each keeps its own numbering), and that share's fraction of the volume."""
        clone = copy.copy(self)
        clone.rng = random.Random(self.rng.random() + k)
        clone.dept_choices = [i for i in self.dept_choices if i % parts == k]
        weights = [self.st.dept_weights[i] for i in clone.dept_choices]
        clone.dept_cum = list(itertools.accumulate(weights))
        return clone, sum(weights) / sum(self.st.dept_weights[i] for i in self.dept_choices)

    def rows(self, n: int):
        rng = self.rng
        random_ = rng.random
        depts = self.st.departments
        officers = self.st.officers
        legal = self.st.legal_officers
        dept_idx = rng.choices(self.dept_choices, cum_weights=self.dept_cum, k=n)
        cat_idx = rng.choices(self.cat_ids, cum_weights=self.cat_cum, k=n)
        years = rng.choices(self.years, cum_weights=self.year_cum, k=n)
        today = self.today
        this_year = today.year
        day0 = datetime.date(this_year, 1, 1)
        days_this_year = max(1, (today - day0).days)
        ordinal = datetime.date.toordinal
        fromordinal = datetime.date.fromordinal
        now = self.now
        counters = self.counters
        # Filing dates in order (numbers are issued chronologically, and the loader appends to
        # the date indexes instead of splitting pages all over them).
        starts = {y: ordinal(datetime.date(y, 1, 1)) for y in self.years}
        filed_days = sorted(starts[y] + int(random_() * (days_this_year if y == this_year else 365)) for y in years)
        for i in range(n):
            dept_id, _cid, short = depts[dept_idx[i]]
            filed = fromordinal(filed_days[i])
            year = filed.year
            age = (today - filed).days
            # Stage reached: old files are closed or archived, recent ones still open.
            if age > 365:
                stage = 6 if random_() < 0.7 else 5
            else:
                stage = min(6, int(random_() * 7 * min(1.0, 0.2 + age / 200)))
            dates: list[datetime.date | None] = [filed]
            d = filed
            for _s in range(stage):
                d = fromordinal(ordinal(d) + int(random_() * 20))
                if d > today:
                    d = today
                dates.append(d)
            dates.extend([None] * (7 - len(dates)))
            key = (dept_id, year)
            seq = counters.get(key, 0) + 1
            counters[key] = seq
            cat = cat_idx[i]
            punish = cat == self.punishment_id
            fine = Decimal(int(random_() * 200) * 100) if punish and stage >= 2 else Decimal(0)
            handlers = officers[dept_id]
            reviewed = stage >= 2 and random_() < 0.5
            closed = dates[5]
            r = random_()
            recon = ReconsiderationState.UPHELD if r < 0.01 else ReconsiderationState.NONE
            litig = LitigationState.WON if 0.01 <= r < 0.015 else LitigationState.NONE
            yield (
                dept_id,
                year,
                f"{short}{'罚' if punish else '执'}〔{year}〕{seq}号",
                cat,
                TITLES[seq % len(TITLES)],
                PartyKind.PERSON if r < 0.7 else PartyKind.ORGANISATION,
                "某某" + str(seq % 997),
                handlers[int(random_() * len(handlers))],
                *dates[:7],
                STATUS_BY_STAGE[stage],
                fine,
                Decimal(0),
                punish and fine > 10000 and r < 0.3,
                fine > 15000,
                legal[dept_id] if reviewed else None,
                dates[2] if reviewed else None,
                stage >= 1 and r < 0.8,
                dates[2] if punish and stage >= 2 else None,
                "",
                "",
                "",
                recon,
                litig,
                min(today, fromordinal(ordinal(closed) + int(random_() * 25))) if closed and age > 60 else None,
                now,
                now,
            )

    def lines(self, n: int):
        """The same ``n`` case files as ``rows`` would give (the same random numbers drawn in the
        same order, so the same data), as lines of ``COPY … FROM STDIN`` text. Fast path of the
        PostgreSQL loader: dates are day offsets into precomputed ISO strings, every constant
        is text already, and a row is one f-string; no date, Decimal or tuple per row."""
        rng = self.rng
        random_ = rng.random
        dept_idx = rng.choices(self.dept_choices, cum_weights=self.dept_cum, k=n)
        cat_idx = rng.choices(self.cat_ids, cum_weights=self.cat_cum, k=n)
        years = rng.choices(self.years, cum_weights=self.year_cum, k=n)
        today = self.today
        this_year = today.year
        days_this_year = max(1, (today - datetime.date(this_year, 1, 1)).days)
        ordinal = datetime.date.toordinal
        counters = self.counters
        starts = {y: ordinal(datetime.date(y, 1, 1)) for y in self.years}
        filed_days = sorted(starts[y] + int(random_() * (days_this_year if y == this_year else 365)) for y in years)
        base = starts[self.years[0]]
        last = ordinal(today) - base
        day_text = [datetime.date.fromordinal(base + k).isoformat() for k in range(last + 1)]
        day_year = [datetime.date.fromordinal(base + k).year for k in range(last + 1)]
        N = "\\N"
        tab = "\t"
        now = str(self.now)
        tail = f"\t{now}\t{now}\n"
        statuses = [str(s) for s in STATUS_BY_STAGE]
        no_dates = [N] * 7
        person, organisation = str(PartyKind.PERSON), str(PartyKind.ORGANISATION)
        upheld = f"{ReconsiderationState.UPHELD}\t{LitigationState.NONE}"
        won = f"{ReconsiderationState.NONE}\t{LitigationState.WON}"
        neither = f"{ReconsiderationState.NONE}\t{LitigationState.NONE}"
        # per department (by index): id, short name, handler ids as text, their number, legal officer
        officers, legal = self.st.officers, self.st.legal_officers
        dept_info = [
            (d, short, [str(h) for h in officers.get(d, [])], len(officers.get(d, [])), str(legal.get(d)))
            for d, _c, short in self.st.departments
        ]
        punishment_id = self.punishment_id
        titles = TITLES
        n_titles = len(titles)
        for i in range(n):
            dept_id, short, handlers, n_handlers, legal_text = dept_info[dept_idx[i]]
            k = filed_days[i] - base
            year = day_year[k]
            age = last - k
            if age > 365:
                stage = 6 if random_() < 0.7 else 5
            else:
                stage = min(6, int(random_() * 7 * min(1.0, 0.2 + age / 200)))
            # Random draws in the order of ``rows`` (the test compares the two).
            dates = [day_text[k]]
            closed = 0
            for step in range(stage):
                k += int(random_() * 20)
                if k > last:
                    k = last
                dates.append(day_text[k])
                if step == 4:
                    closed = k
            key = (dept_id, year)
            seq = counters.get(key, 0) + 1
            counters[key] = seq
            cat = cat_idx[i]
            punish = cat == punishment_id
            if stage >= 2:
                decided = dates[2]
                fine = int(random_() * 200) * 100 if punish else 0
                reviewed = random_() < 0.5
            else:
                decided = N
                fine = 0
                reviewed = False
            r = random_()
            handler = handlers[int(random_() * n_handlers)]
            transferred = day_text[min(last, closed + int(random_() * 25))] if stage >= 5 and age > 60 else N
            if stage < 6:
                dates += no_dates[stage:6]
            yield (
                f"{dept_id}\t{year}\t{short}{'罚' if punish else '执'}〔{year}〕{seq}号\t{cat}\t"
                f"{titles[seq % n_titles]}\t{person if r < 0.7 else organisation}\t某某{seq % 997}\t{handler}\t"
                f"{tab.join(dates)}\t{statuses[stage]}\t{fine}\t0\t{'t' if punish and fine > 10000 and r < 0.3 else 'f'}\t"
                f"{'t' if fine > 15000 else 'f'}\t{legal_text if reviewed else N}\t"
                f"{decided if reviewed else N}\t{'t' if stage >= 1 and r < 0.8 else 'f'}\t"
                f"{decided if punish else N}\t\t\t\t{upheld if r < 0.01 else won if r < 0.015 else neither}\t"
                f"{transferred}{tail}"
            )


def _copy_stream(gen: CaseRows, n: int, dsn: dict, batch: int, triggers_off: bool) -> int:
    """One COPY stream on its own connection (run in a forked worker)."""
    import psycopg
    from psycopg.copy import QueuedLibpqWriter

    cols = ", ".join(COLUMNS)
    with psycopg.connect(**dsn) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        if triggers_off:
            # As pg_restore --disable-triggers: the per-row foreign-key triggers are skipped and
            # the keys are validated in bulk after the load (case_files_load).
            cur.execute("SET session_replication_role = replica")
        # The queued writer sends from a thread, so generating the next batch overlaps the
        # server's work on the previous one.
        with cur.copy(f"COPY cases_casefile ({cols}) FROM STDIN", writer=QueuedLibpqWriter(cur)) as cp:
            lines = gen.lines(n)
            while chunk := "".join(itertools.islice(lines, batch)):
                cp.write(chunk)
    return n


FOREIGN_KEYS = [
    ("department_id", "org_department"),
    ("category_id", "cases_casecategory"),
    ("main_handler_id", "org_officer"),
    ("legal_review_by_id", "org_officer"),
    ("power_item_id", "cases_poweritem"),
    ("created_by_id", "auth_user"),
]


def foreign_keys_check(*, after_id: int = 0) -> dict[str, int]:
    """Case files (id > ``after_id``) whose foreign keys point nowhere, per column: the bulk
    equivalent of the per-row trigger checks, in one pass over the new rows (hash joins)."""
    joins = " ".join(f"LEFT JOIN {table} t{i} ON t{i}.id = c.{col}" for i, (col, table) in enumerate(FOREIGN_KEYS))
    counts_sql = ", ".join(
        f"SUM(CASE WHEN c.{col} IS NOT NULL AND t{i}.id IS NULL THEN 1 ELSE 0 END)"
        for i, (col, _table) in enumerate(FOREIGN_KEYS)
    )
    with connection.cursor() as cur:
        cur.execute(f"SELECT {counts_sql} FROM cases_casefile c {joins} WHERE c.id > %s", [after_id])
        counts = cur.fetchone()
    return {col: n for (col, _t), n in zip(FOREIGN_KEYS, counts, strict=True) if n}


def _pg_dsn() -> dict:
    s = connection.settings_dict
    return {
        "host": s.get("HOST") or "127.0.0.1",
        "port": s.get("PORT") or 5432,
        "user": s.get("USER") or None,
        "password": s.get("PASSWORD") or None,
        "dbname": s["NAME"],
    }


CASE_TABLE = "cases_casefile"
# Index rebuild after a bulk load: two sessions side by side, each with one parallel worker and
# memory to sort in (session settings only). Measured on the shared 2-core machine for the 17
# secondary indexes of 1M files: 20–28 s, against 24–33 s for one session with two workers and
# 33–39 s for two sessions without; the heap scans (one per index) dominate. Keeping even the
# cheap ones (append-like keys) during the COPY cost more: 27 s more for 800k files into 200k
# with six of them, against about 7 s to build those six.
INDEX_BUILD_SESSIONS = 2
INDEX_BUILD_WORKERS = 1
INDEX_BUILD_MEMORY = "256MB"
# Seconds of the phases of the last PostgreSQL load (copy, index rebuild, key check), for the log.
last_load: dict[str, float] = {}


def _phases() -> float:
    return sum(v for k, v in last_load.items() if k != "rebuilt")


def case_index_defs() -> dict[str, str]:
    """Every index of the case table (PostgreSQL): name -> definition, as ``pg_indexes`` has it."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
            [CASE_TABLE],
        )
        return dict(cur.fetchall())


def secondary_case_indexes() -> list[str]:
    """Names of the case table's indexes that a bulk load may drop and rebuild: not unique, not
    the primary key, backing no constraint."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY 1",
            [CASE_TABLE],
        )
        return [name for (name,) in cur.fetchall()]


def _indexes_create(dsn: dict, definitions: list[str]) -> None:
    """Run ``CREATE INDEX`` statements on ``INDEX_BUILD_SESSIONS`` connections of their own
    (threads: the server does the work), the costliest first (most key columns, partial ones
    last) so the sessions finish together."""
    import queue
    import threading

    import psycopg

    todo: queue.SimpleQueue[str] = queue.SimpleQueue()
    for sql in sorted(definitions, key=lambda d: (" WHERE " in d, -d.split(" WHERE ")[0].count(","))):
        todo.put(sql)
    errors: list[BaseException] = []

    def session() -> None:
        try:
            with psycopg.connect(**dsn, autocommit=True) as conn:
                conn.execute(f"SET maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
                conn.execute(f"SET max_parallel_maintenance_workers = {INDEX_BUILD_WORKERS}")
                conn.execute("SET synchronous_commit = off")
                while not errors:
                    try:
                        sql = todo.get_nowait()
                    except queue.Empty:
                        return
                    conn.execute(sql)
        except BaseException as exc:  # reported by the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=session) for _ in range(min(INDEX_BUILD_SESSIONS, len(definitions)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def case_files_load(
    gen: CaseRows, n: int, *, streams: int = 2, batch: int = 20_000, rebuild_indexes: bool | None = None
) -> float:
    """Load ``n`` case files; returns the seconds taken. PostgreSQL: ``COPY … FROM STDIN`` in
    text format (``CaseRows.lines``), ``streams`` parallel streams (forked workers, disjoint
    departments, one connection and transaction each); other databases: ``bulk_create``.

    The primary key, the unique and check constraints are maintained during the load. The
    secondary indexes (``secondary_case_indexes``) are maintained too, unless
    ``rebuild_indexes`` (default: when ``n`` is at least a quarter of the files already there,
    and not inside a transaction): then they are dropped before the COPY and created again after
    it from their ``pg_indexes`` definitions, as ``pg_restore`` does, and the rebuild is part of
    the time returned. Either way the table ends with exactly the indexes it started with (same
    names, same definitions), or a ``RuntimeError``.

    When connected as a superuser the foreign keys are checked in bulk after the load
    (``foreign_keys_check``, included in the time) instead of by a trigger per row, as
    ``pg_restore --disable-triggers`` does."""
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        import multiprocessing

        dsn = _pg_dsn()
        before = max_case_id()
        with connection.cursor() as cur:
            cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            triggers_off = bool(cur.fetchone()[0])
        indexes = case_index_defs()
        if rebuild_indexes is None:
            rebuild_indexes = n * 4 >= CaseFile.objects.count()
        # The COPY workers' connections would wait forever on a DROP INDEX not yet committed.
        dropped = secondary_case_indexes() if rebuild_indexes and not connection.in_atomic_block else []
        if dropped:
            with connection.cursor() as cur:
                cur.execute("DROP INDEX " + ", ".join(connection.ops.quote_name(name) for name in dropped))
        last_load.clear()
        last_load["setup"] = time.perf_counter() - started
        last_load["rebuilt"] = len(dropped)
        try:
            parts = [gen.part(k, streams) for k in range(streams)]
            sizes = [round(n * share) for _g, share in parts]
            sizes[-1] = n - sum(sizes[:-1])
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(streams) as pool:
                pool.starmap(
                    _copy_stream,
                    [(g, size, dsn, batch, triggers_off) for (g, _s), size in zip(parts, sizes, strict=True)],
                )
        finally:
            # also after a failed COPY: the table keeps its indexes
            last_load["copy"] = time.perf_counter() - started - _phases()
            missing = [name for name in dropped if name not in case_index_defs()]
            if missing:
                _indexes_create(dsn, [indexes[name] for name in missing])
            last_load["indexes"] = time.perf_counter() - started - _phases()
        after = case_index_defs()
        if after != indexes:
            raise RuntimeError(
                f"case table indexes changed by the load: {sorted(set(after.items()) ^ set(indexes.items()))}"
            )
        if triggers_off:
            orphans = foreign_keys_check(after_id=before)
            if orphans:
                raise RuntimeError(f"generated case files break foreign keys: {orphans}")
        elapsed = time.perf_counter() - started
        last_load["foreign_keys"] = elapsed - _phases()
        # the parent's generator continues the numbering from the database next time
        gen.counters = {
            (d, y): c for d, y, c in CaseFile.objects.values_list("department_id", "year").annotate(c=Count("pk"))
        }
    else:
        objs = []
        for row in gen.rows(n):
            objs.append(CaseFile(**dict(zip(COLUMNS, row, strict=True))))
            if len(objs) >= 5000:
                CaseFile.objects.bulk_create(objs)
                objs.clear()
        CaseFile.objects.bulk_create(objs)
        elapsed = time.perf_counter() - started
    return elapsed


def related_load(st: Structure, *, after_id: int, seed: int = 3) -> dict[str, int]:
    """Rows that hang off case files with id > ``after_id``: penalty kinds of decided
    punishment files, a co-handler per file, self-reviews of a fifth of the transferred files (locked, by the
    department's legal officer with its category's checklist). One INSERT … SELECT each."""
    kinds = {k.code: k.pk for k in PenaltyKind.objects.all()}
    cats = {c.code: c.pk for c in CaseCategory.objects.all()}
    out = {}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO cases_casefile_penalty_kinds (casefile_id, penaltykind_id) "
            "SELECT id, CASE WHEN fine_amount > 0 THEN %s ELSE %s END FROM cases_casefile "
            "WHERE id > %s AND category_id = %s AND decided_on IS NOT NULL",
            [kinds["fine"], kinds["warning"], after_id, cats["punishment"]],
        )
        out["penalty_links"] = cur.rowcount
        # A co-handler per file (two officers handle a case): the next enforcement officer of the
        # main handler's department, in id order.
        cur.execute(
            "WITH h AS (SELECT id, department_id, "
            "ROW_NUMBER() OVER (PARTITION BY department_id ORDER BY id) AS rn, "
            "COUNT(*) OVER (PARTITION BY department_id) AS n FROM org_officer WHERE is_enforcement_officer), "
            "pair AS (SELECT a.id AS main_id, b.id AS co_id FROM h a JOIN h b "
            "ON b.department_id = a.department_id AND b.rn = a.rn %% a.n + 1 WHERE a.n > 1) "
            "INSERT INTO cases_casefile_co_handlers (casefile_id, officer_id) "
            "SELECT c.id, p.co_id FROM cases_casefile c JOIN pair p ON p.main_id = c.main_handler_id WHERE c.id > %s",
            [after_id],
        )
        out["co_handler_links"] = cur.rowcount
        cur.execute(
            "INSERT INTO reviews_selfreview (case_file_id, department_id, template_id, reviewer_id, reviewer_name, status, "
            "problems_substance, problems_procedure, score, veto_failed, grade, year, submitted_at, locked_at, "
            "digest, case_amended, case_snapshot, created_at, updated_at) "
            "SELECT c.id, c.department_id, t.id, o.user_id, o.name, 'locked', '', '', 95, %s, 'excellent', c.year, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '', %s, '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP "
            "FROM cases_casefile c "
            "JOIN org_officer o ON o.department_id = c.department_id AND o.post = %s "
            "JOIN reviews_checklisttemplate t ON t.category_id = c.category_id AND t.version = 1 "
            "WHERE c.id > %s AND c.transferred_for_review_on IS NOT NULL AND c.id %% 5 = 0",
            [False, False, "法制审核员", after_id],
        )
        out["self_reviews"] = cur.rowcount
    return out


def side_rows_load(st: Structure, *, n_cases: int, seed: int = 5) -> dict[str, int]:
    """Tolerance applications (about one per 500 files), statistics reports (every department,
    the last three years, both periods) and one inspection campaign per county."""
    from reviews.models import InspectionCampaign
    from reviews.sampling import make_seed
    from stats.choices import Period, ReportStatus
    from stats.models import StatReport
    from tolerance.choices import ApplicationStatus, EnforcementField, ErrorCategory
    from tolerance.models import Application

    rng = random.Random(seed)
    today = timezone.localdate()
    officer_user = dict(Officer.objects.filter(department__region_id__in=st.county_ids).values_list("pk", "user_id"))
    apps = []
    for _i in range(max(5, n_cases // 500)):
        dept_id, _cid, _s = rng.choices(st.departments, weights=st.dept_weights)[0]
        officer = rng.choice(st.officers[dept_id])
        act_date = today - datetime.timedelta(days=rng.randint(1, 3 * 365))
        status = rng.choice([ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.INVESTIGATING])
        apps.append(
            Application(
                department_id=dept_id,
                officer_id=officer,
                filed_by_id=officer_user[officer],
                act="现场检查时未出示执法证件，事后补正。",
                act_date=act_date,
                error_category=rng.choice(ErrorCategory.values),
                field=rng.choice(EnforcementField.values),
                statement="初次发生，及时纠正，未造成危害后果。",
                status=status,
                submitted_on=act_date + datetime.timedelta(days=3) if status != ApplicationStatus.DRAFT else None,
            )
        )
    Application.objects.bulk_create(apps, batch_size=2000)
    reports = []
    for dept_id, _cid, _s in st.departments:
        for year in range(today.year - 3, today.year):
            for period in (Period.HALF_YEAR, Period.YEAR):
                reports.append(
                    StatReport(department_id=dept_id, year=year, period=period, status=ReportStatus.ACCEPTED)
                )
    StatReport.objects.bulk_create(reports, batch_size=5000)
    campaigns = []
    for cid in st.county_ids:
        seed_date = datetime.date(today.year, 1, 5)
        campaigns.append(
            InspectionCampaign(
                region_id=cid,
                year=today.year,
                title=f"{today.year - 1}年度行政执法案卷评查",
                period_start=datetime.date(today.year - 1, 1, 1),
                period_end=datetime.date(today.year - 1, 12, 31),
                public_value="基准随机数",
                seed_date=seed_date,
                seed=make_seed("基准随机数", seed_date),
                sample_size=5,
            )
        )
    InspectionCampaign.objects.bulk_create(campaigns)
    return {"tolerance_applications": len(apps), "stat_reports": len(reports), "campaigns": len(campaigns)}


def summaries_rebuild() -> float | None:
    """Rebuild the statistics summaries from the case table after a bulk load (COPY bypasses
    the signals that maintain them); None when the project has no summaries."""
    try:
        from stats.case_summaries import summary_rebuild
    except ImportError:
        return None
    started = time.perf_counter()
    summary_rebuild()
    return time.perf_counter() - started


def max_case_id() -> int:
    return CaseFile.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
