"""The demo county (隰县): departments, units, officers, certificates and one account per role.

Used by ``python manage.py seed_demo``. The core builds the organisation; the domain rooms add
their own demo data through the builders they register in their ``AppConfig.ready()`` with
``register_demo_builder`` (so the core imports no domain app). Everything is generated from a fixed random seed and
today's date, inserted in bulk inside one transaction.
"""

from __future__ import annotations

import csv
import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from .choices import CertificateStatus, DepartmentKind, Role, UnitKind
from .models import Certificate, CertificateStatusChange, Department, Officer, OrgUnit, Region
from .services import ensure_role_groups

REGION_CODE = "141031"
REGION_NAME = "隰县"
GOVERNMENT_NAME = "隰县人民政府"
# The county government department is the marker of the demo county: when a department with this
# code exists in region 141031, the demo has been loaded.
MARKER_CODE = f"{REGION_CODE}-000"
DEMO_TOWNSHIP = "龙泉镇"
DEFAULT_PASSWORD = "Demo-2026-xian!"
DEFAULT_SEED = 20260
ISSUING_ORGAN = "隰县人民政府"
UNITS_CSV = Path(__file__).with_name("demo_units.csv")


# (username, role, where: "township" | "bureau" | "government", post, unit kind or None, certified)
DEMO_ACCOUNTS = [
    ("demo_handler", Role.HANDLER, "township", "综合行政执法队执法队员", UnitKind.ENFORCEMENT, True),
    ("demo_legal", Role.LEGAL_OFFICER, "township", "法制审核员", UnitKind.LEGAL_OFFICE, True),
    ("demo_legal_head", Role.LEGAL_HEAD, "township", "法制审核岗负责人", UnitKind.LEGAL_OFFICE, True),
    ("demo_unit_head", Role.UNIT_HEAD, "township", "综合行政执法队队长", UnitKind.ENFORCEMENT, True),
    ("demo_party", Role.PARTY_MEMBER, "township", "党委委员、副镇长", None, True),
    ("demo_bureau", Role.BUREAU_STAFF, "bureau", "行政执法协调监督股科员", UnitKind.ENFORCEMENT, False),
    ("demo_review", Role.REVIEW_GROUP, "bureau", "评查组成员（法律顾问）", None, False),
    ("demo_leader", Role.LEADER, "government", "副县长", None, False),
    ("demo_sysadmin", Role.SYSADMIN, "government", "系统管理员", None, False),
    ("demo_secadmin", Role.SECADMIN, "government", "安全管理员", None, False),
    ("demo_auditadmin", Role.AUDITADMIN, "government", "审计管理员", None, False),
]
DEMO_USERNAMES = [row[0] for row in DEMO_ACCOUNTS]

# Officers per department (short name); townships 8–10, the other county departments 4–6.
OFFICER_COUNTS = {
    "公安局": 40,
    "市场监管局": 36,
    "城管局": 30,
    "交通运输局": 24,
    "自然资源局": 14,
    "生态环境分局": 14,
    "卫体局": 14,
    "住建局": 12,
    "农业农村局": 12,
    "应急管理局": 12,
    "林业局": 10,
    "文旅局": 10,
    "消防大队": 10,
    "水利局": 8,
    "司法局": 8,
}

# Units: (legal office, [enforcement units]) per short name; townships and others use defaults.
UNITS = {
    "市场监管局": ("法规股", ["市场监管综合行政执法队", "食品药品安全监管股"]),
    "公安局": ("法制大队", ["治安管理大队", "交通警察大队"]),
    "城管局": ("法制股", ["城市管理综合执法大队", "市容环境卫生管理股"]),
    "交通运输局": ("法制股", ["交通运输综合行政执法队", "路政管理股"]),
    "自然资源局": ("法规股", ["自然资源执法监察大队"]),
    "生态环境分局": ("法制股", ["生态环境保护综合行政执法队"]),
    "住建局": ("法制股", ["住建综合行政执法队", "建筑市场监管股"]),
    "农业农村局": ("法规股", ["农业综合行政执法队"]),
    "水利局": ("法制股", ["水政监察大队"]),
    "林业局": ("法制股", ["林业综合行政执法队"]),
    "文旅局": ("法制股", ["文化市场综合行政执法队"]),
    "卫体局": ("法制股", ["卫生健康综合监督执法队"]),
    "应急管理局": ("法规股", ["应急管理综合行政执法队"]),
    "消防大队": ("法制与社会消防工作组", ["防火监督组"]),
    "司法局": ("法制审核股", ["行政执法协调监督股"]),
}
TOWNSHIP_UNITS = ("综合行政执法办公室法制审核岗", ["综合行政执法队"])
DEFAULT_UNITS = ("法制股", ["执法监察股"])

SURNAMES = (
    "王李张刘杨郭赵贺高冯任武薛梁韩马白乔贾田吕曹孙史崔段郝霍温侯阎秦卫范康牛胡宋程董靳雷申常苏吴陈周徐朱孟姚师柴畅"
)
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帅龙峰晨阳亮志建国文博斌彬旭东海林宏振"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲婷雪慧琳颖倩洁丹萍红梅蕾瑶佳欣悦晶璐莉媛荣"
ID_AREAS = ["141031"] * 8 + ["141032", "141033", "141034", "141002", "141081", "141029", "141030", "142301"]
PHONE_PREFIXES = "130 131 132 133 135 136 137 138 139 150 151 152 155 156 158 159 177 180 182 183 185 187 188 189 199"
PHONE_PREFIXES = PHONE_PREFIXES.split()
SUSPENSION_REASONS = [
    ("年度案卷评查三件不合格，暂停执法资格，参加培训（REV-8）", "REV-8"),
    ("涉嫌违纪接受组织调查，暂停执法资格", ""),
    ("未按规定参加年度执法资格考试，暂停执法资格", ""),
]


@dataclass
class DemoOfficer:
    """An officer of the demo county and the days on which they held a valid certificate."""

    officer_id: int
    user_id: int
    name: str
    department_id: int
    unit_kind: str | None
    roles: tuple[str, ...]
    valid_from: datetime.date | None
    valid_until: datetime.date | None  # last day the certificate was valid (suspension or expiry)

    def certified_on(self, day: datetime.date) -> bool:
        return self.valid_from is not None and self.valid_from <= day <= self.valid_until


@dataclass
class DemoCounty:
    """What the core built, handed to the domain builders."""

    region: Region
    government: Department
    departments: list[Department]  # the enforcement departments, in the order of the csv
    officers: dict[int, list[DemoOfficer]]  # department id → enforcement officers
    demo: dict[str, DemoOfficer]  # username → the demo account's officer
    today: datetime.date
    start: datetime.date  # first day of the case files' period (1 January two years ago)
    counts: dict[str, int] = field(default_factory=dict)

    def department(self, short_name: str) -> Department:
        return next(d for d in self.departments if d.short_name == short_name)


class DemoExists(Exception):
    """The demo county is already loaded."""


def read_units() -> list[dict[str, str]]:
    with UNITS_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def demo_region() -> Region | None:
    return Region.objects.filter(code=REGION_CODE).first()


def demo_exists() -> bool:
    return Department.objects.filter(code=MARKER_CODE, region__code=REGION_CODE).exists()


def check_password(password: str) -> None:
    """Run Django's validators against the password for every demo account (ValidationError)."""
    User = get_user_model()
    for username in DEMO_USERNAMES:
        validate_password(password, User(username=username, email=f"{username}@xian.example"))


def reset_passwords(password: str) -> list[str]:
    """Set the demo accounts' password; returns the usernames that were missing.

    The password is hashed once (PBKDF2, slow by design) and the encoded hash shared by
    the demo accounts: they all have the same password, printed in the clear, so per-account
    salts would protect nothing here. Real accounts are never set this way."""
    User = get_user_model()
    users = list(User.objects.filter(username__in=DEMO_USERNAMES))
    encoded = make_password(password)
    for user in users:
        user.password, user.is_active = encoded, True
    User.objects.bulk_update(users, ["password", "is_active"])
    found = {u.username for u in users}
    return [name for name in DEMO_USERNAMES if name not in found]


def account_rows() -> list[tuple[str, str, str]]:
    """(username, role label, department) of each demo account that exists."""
    User = get_user_model()
    users = {
        u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("officer__department")
    }
    rows = []
    for username, role, *_rest in DEMO_ACCOUNTS:
        user = users.get(username)
        if user is None:
            continue
        officer = getattr(user, "officer", None)
        dept = officer.department.name if officer and officer.department else "—"
        rows.append((username, str(role.label), dept))
    return rows


# ----------------------------------------------------------------------------- generators


def id_number(rng: random.Random, birth: datetime.date, male: bool) -> str:
    """A well-formed 18-digit resident identity number (GB 11643 check digit); fake."""
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = f"{rng.choice(ID_AREAS)}{birth:%Y%m%d}{seq:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def phone_number(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


class NameMaker:
    """Plausible, distinct Chinese names from a fixed seed."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def person(self) -> tuple[str, bool]:
        rng = self.rng
        for _attempt in range(200):
            male = rng.random() < 0.68
            pool = GIVEN_MALE if male else GIVEN_FEMALE
            given = rng.choice(pool) if rng.random() < 0.35 else rng.choice(pool) + rng.choice(pool)
            name = rng.choice(SURNAMES) + given
            if name not in self.used:
                self.used.add(name)
                return name, male
        return rng.choice(SURNAMES) + rng.choice(GIVEN_MALE) + rng.choice(GIVEN_MALE), True


def _posts(dept: Department, enforcement_units: list[str]) -> dict[str, tuple[str, str | None]]:
    """Role → (post, unit kind) for the four role holders of a department."""
    if dept.kind == DepartmentKind.TOWNSHIP:
        return {
            Role.PARTY_MEMBER: ("党委委员、副镇长" if dept.name.endswith("镇") else "党委委员、副乡长", None),
            Role.LEGAL_HEAD: ("法制审核岗负责人", UnitKind.LEGAL_OFFICE),
            Role.LEGAL_OFFICER: ("法制审核员", UnitKind.LEGAL_OFFICE),
            Role.UNIT_HEAD: ("综合行政执法队队长", UnitKind.ENFORCEMENT),
        }
    deputy = "副大队长" if dept.short_name == "消防大队" else "党组成员、副局长"
    legal_office = UNITS.get(dept.short_name, DEFAULT_UNITS)[0]
    return {
        Role.PARTY_MEMBER: (deputy, None),
        Role.LEGAL_HEAD: (_head_of(legal_office), UnitKind.LEGAL_OFFICE),
        Role.LEGAL_OFFICER: ("法制审核员", UnitKind.LEGAL_OFFICE),
        Role.UNIT_HEAD: (_head_of(enforcement_units[0]), UnitKind.ENFORCEMENT),
    }


def _head_of(unit: str) -> str:
    """The head's post of a unit: 法制大队大队长, 法规股股长, 综合行政执法队队长 …"""
    for suffix, head in (("大队", "大队长"), ("队", "队长"), ("组", "组长"), ("股", "股长")):
        if unit.endswith(suffix):
            return unit + head
    return unit + "负责人"


def _staff_posts(dept: Department) -> list[str]:
    if dept.kind == DepartmentKind.TOWNSHIP:
        return ["执法队员", "执法队员", "执法队员", "科员", "副队长"]
    if dept.short_name == "公安局":
        return ["民警", "民警", "民警", "中队长", "副大队长", "辅警队长"]
    if dept.short_name == "消防大队":
        return ["防火监督员", "防火监督员", "消防监督检查员"]
    return ["科员", "科员", "科员", "执法队员", "执法队员", "股长", "副股长", "副大队长"]


# ----------------------------------------------------------------------------- the rooms' builders


@dataclass(frozen=True)
class DemoBuilder:
    """A room's demo data: ``build(county, cases=…, rng=…) -> {label: count}`` and
    ``reset(departments) -> {label: count}``; ``after`` names the builders that must run first."""

    name: str
    build: Callable[..., dict[str, int]]
    reset: Callable[..., dict[str, int]] | None = None
    after: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return f"{self.build.__module__}.{self.build.__qualname__}"


_DEMO_BUILDERS: dict[str, DemoBuilder] = {}


def register_demo_builder(
    name: str,
    build: Callable[..., dict[str, int]],
    *,
    reset: Callable[..., dict[str, int]] | None = None,
    after: tuple[str, ...] = (),
) -> None:
    """Register a room's demo builder (idempotent: ready() may run twice)."""
    _DEMO_BUILDERS[name] = DemoBuilder(name, build, reset, tuple(after))


def demo_builders() -> list[DemoBuilder]:
    """The registered builders in the order they run: registration order (INSTALLED_APPS), each
    after those it names in ``after``. ``settings.DEMO_BUILDERS`` (a list of names), when set,
    keeps only those builders (tests build one room's demo)."""
    only = getattr(settings, "DEMO_BUILDERS", None)
    pending = [b for b in _DEMO_BUILDERS.values() if only is None or b.name in only]
    selected = {b.name for b in pending}
    ordered: list[DemoBuilder] = []
    while pending:
        placed = {b.name for b in ordered}
        ready = next((b for b in pending if all(a in placed or a not in selected for a in b.after)), None)
        if ready is None:
            raise ValueError(f"demo builders wait on each other: {[b.name for b in pending]}")
        ordered.append(ready)
        pending.remove(ready)
    return ordered


# ----------------------------------------------------------------------------- the build


def build(*, cases: int | None = None, seed: int = DEFAULT_SEED) -> DemoCounty:
    """Build the demo county in one transaction. Raises DemoExists when it is already there."""
    if demo_exists():
        raise DemoExists
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        county = _build_org(rng, today)
        for builder in demo_builders():
            rng_room = random.Random(f"{seed}:{builder.path}")  # e.g. "20260:cases.demo.build"
            county.counts.update(builder.build(county, cases=cases, rng=rng_room))
    return county


def _build_org(rng: random.Random, today: datetime.date) -> DemoCounty:
    region = demo_region()
    if region is None:
        region = Region.objects.create(code=REGION_CODE, name=REGION_NAME)
    elif Department.objects.filter(region=region).exists():
        raise RuntimeError(
            f"行政区域 {REGION_CODE} 已有部门，但不是演示数据（缺少 {MARKER_CODE}）；不在其中加载演示数据。"
        )
    groups = ensure_role_groups()
    start = datetime.date(today.year - 2, 1, 1)

    rows = read_units()
    depts = [
        Department(
            region=region,
            kind=DepartmentKind.GOVERNMENT,
            name=GOVERNMENT_NAME,
            short_name="县政府",
            code=MARKER_CODE,
            enforcement_fields="",
            order=0,
        )
    ]
    for i, row in enumerate(rows, start=1):
        depts.append(
            Department(
                region=region,
                kind=row["kind"],
                name=row["name"],
                short_name=row["short_name"],
                code=f"{REGION_CODE}-{i:03d}",
                enforcement_fields=row["enforcement_fields"],
                order=i,
            )
        )
    depts = Department.objects.bulk_create(depts)
    government, departments = depts[0], depts[1:]

    units = []
    for dept in departments:
        if dept.kind == DepartmentKind.TOWNSHIP:
            legal, enforcement = TOWNSHIP_UNITS
        else:
            legal, enforcement = UNITS.get(dept.short_name, DEFAULT_UNITS)
        units.append(OrgUnit(department=dept, kind=UnitKind.LEGAL_OFFICE, name=legal))
        units += [OrgUnit(department=dept, kind=UnitKind.ENFORCEMENT, name=name) for name in enforcement]
    units = OrgUnit.objects.bulk_create(units)
    units_by_dept: dict[int, dict[str, list[OrgUnit]]] = {}
    for unit in units:
        units_by_dept.setdefault(unit.department_id, {}).setdefault(unit.kind, []).append(unit)

    names = NameMaker(rng)
    # plan: (department, name, male, post, unit, roles, username, email, certified, is_demo)
    plan: list[dict] = []
    township = next(d for d in departments if d.name == DEMO_TOWNSHIP)
    bureau = next(d for d in departments if d.kind == DepartmentKind.BUREAU)
    where = {"township": township, "bureau": bureau, "government": government}
    for username, role, place, post, unit_kind, certified in DEMO_ACCOUNTS:
        dept = where[place]
        unit = units_by_dept.get(dept.pk, {}).get(unit_kind, [None])[0] if unit_kind else None
        name, male = names.person()
        plan.append(
            {
                "dept": dept,
                "name": name,
                "male": male,
                "post": post,
                "unit": unit,
                "roles": (role.value,),
                "username": username,
                "email": f"{username}@xian.example",
                "certified": certified,
                "demo": True,
            }
        )
    serial = 0
    for dept in departments:
        if dept.kind == DepartmentKind.TOWNSHIP:
            size = rng.randint(8, 10)
        else:
            size = OFFICER_COUNTS.get(dept.short_name) or rng.randint(4, 6)
        dept_units = units_by_dept[dept.pk]
        enforcement_units = dept_units[UnitKind.ENFORCEMENT]
        role_posts = list(_posts(dept, [u.name for u in enforcement_units]).items())
        staff_posts = _staff_posts(dept)
        for k in range(size):
            serial += 1
            if k < len(role_posts) and dept != township:
                role, (post, unit_kind) = role_posts[k]
                roles = (Role.HANDLER.value, role.value)
                unit = dept_units[unit_kind][0] if unit_kind else None
            else:
                roles = (Role.HANDLER.value,)
                post = rng.choice(staff_posts)
                unit = rng.choice(enforcement_units)
            name, male = names.person()
            plan.append(
                {
                    "dept": dept,
                    "name": name,
                    "male": male,
                    "post": post,
                    "unit": unit,
                    "roles": roles,
                    "username": f"o{serial:04d}",
                    "email": "",
                    "certified": True,
                    "demo": False,
                    "role_holder": k < len(role_posts),
                }
            )

    User = get_user_model()
    users = []
    for p in plan:
        user = User(username=p["username"], email=p["email"])
        user.set_unusable_password()  # the demo accounts get theirs from reset_passwords()
        users.append(user)
    users = User.objects.bulk_create(users)
    through = User.groups.through
    through.objects.bulk_create(
        [through(user_id=u.pk, group_id=groups[r].pk) for u, p in zip(users, plan, strict=True) for r in p["roles"]]
    )

    officers = []
    for user, p in zip(users, plan, strict=True):
        birth = datetime.date(rng.randint(1966, 2000), rng.randint(1, 12), rng.randint(1, 28))
        officers.append(
            Officer(
                user=user,
                region=region,
                department=p["dept"],
                unit=p["unit"],
                name=p["name"],
                post=p["post"],
                phone=phone_number(rng),
                id_number=id_number(rng, birth, p["male"]),
                is_enforcement_officer=p["certified"],
            )
        )
    officers = Officer.objects.bulk_create(officers)

    # Certificates: role holders and demo accounts are long-serving and valid; among the other
    # officers about 3 % expired, 2 % suspended, 2 % expiring within 60 days, 17 % joined later.
    certs, changes = [], []
    county = DemoCounty(
        region=region, government=government, departments=departments, officers={}, demo={}, today=today, start=start
    )
    ordinary = [i for i, p in enumerate(plan) if p["certified"] and not p["demo"] and not p.get("role_holder")]
    rng.shuffle(ordinary)
    n_expired = max(1, round(len(plan) * 0.03))
    n_suspended = max(1, round(len(plan) * 0.02))
    n_soon = max(1, round(len(plan) * 0.02))
    expired = set(ordinary[:n_expired])
    suspended = set(ordinary[n_expired : n_expired + n_suspended])
    soon = set(ordinary[n_expired + n_suspended : n_expired + n_suspended + n_soon])
    newcomers = {i for i in ordinary[n_expired + n_suspended + n_soon :] if rng.random() < 0.17}
    number = 100000
    for i, (officer, p) in enumerate(zip(officers, plan, strict=True)):
        valid_from = valid_until = None
        if p["certified"]:
            number += 1
            status, reason, rule_id, changed_on = CertificateStatus.ACTIVE, "", "", None
            valid_from = start - datetime.timedelta(days=rng.randint(30, 1500))
            valid_to = today + datetime.timedelta(days=rng.randint(90, 1800))
            if i in newcomers:
                valid_from = start + datetime.timedelta(days=rng.randint(20, max(21, (today - start).days - 60)))
                valid_to = valid_from + datetime.timedelta(days=5 * 365 - 1)
            elif i in soon:
                valid_to = today + datetime.timedelta(days=rng.randint(5, 55))
            elif i in expired:
                valid_to = today - datetime.timedelta(days=rng.randint(5, 300))
                status, reason, rule_id = CertificateStatus.EXPIRED, "执法证有效期届满，未申请换证", "STA-5.2"
                changed_on = valid_to + datetime.timedelta(days=1)
            elif i in suspended:
                changed_on = today - datetime.timedelta(days=rng.randint(10, 300))
                status = CertificateStatus.SUSPENDED
                reason, rule_id = rng.choice(SUSPENSION_REASONS)
            valid_until = valid_to if changed_on is None else min(valid_to, changed_on - datetime.timedelta(days=1))
            cert = Certificate(
                officer=officer,
                number=f"14103100{number:06d}",
                issuing_organ=ISSUING_ORGAN,
                valid_from=valid_from,
                valid_to=valid_to,
                status=status,
                status_reason=reason,
                status_changed_on=changed_on,
            )
            certs.append(cert)
            if changed_on is not None:
                changes.append((cert, reason, rule_id, changed_on))
        demo_officer = DemoOfficer(
            officer_id=officer.pk,
            user_id=officer.user_id,
            name=officer.name,
            department_id=p["dept"].pk,
            unit_kind=p["unit"].kind if p["unit"] else None,
            roles=p["roles"],
            valid_from=valid_from,
            valid_until=valid_until,
        )
        if p["certified"]:
            county.officers.setdefault(p["dept"].pk, []).append(demo_officer)
        if p["demo"]:
            county.demo[p["username"]] = demo_officer
    Certificate.objects.bulk_create(certs)
    CertificateStatusChange.objects.bulk_create(
        [
            CertificateStatusChange(
                certificate=cert,
                from_status=CertificateStatus.ACTIVE,
                to_status=cert.status,
                reason=reason,
                rule_id=rule_id,
                changed_on=changed_on,
            )
            for cert, reason, rule_id, changed_on in changes
        ]
    )
    county.counts.update(
        {
            "departments": len(depts),
            "units": len(units),
            "officers": len(officers),
            "certificates": len(certs),
            "certificates_expired": len(expired),
            "certificates_suspended": len(suspended),
        }
    )
    return county


def reset() -> dict[str, int]:
    """Delete the demo county: the domain rooms' demo data first (their ``reset`` beside each
    builder, in reverse order), then officers, accounts, departments and the region. Raises
    django.db.models.ProtectedError when other data still refers to it (nothing is deleted)."""
    region = demo_region()
    if region is None or not demo_exists():
        return {}
    deleted: dict[str, int] = {}
    User = get_user_model()
    with transaction.atomic():
        departments = Department.objects.filter(region=region)
        for builder in reversed(demo_builders()):
            if builder.reset is not None:
                deleted.update(builder.reset(departments))
        officers = Officer.objects.filter(region=region)
        user_ids = list(officers.values_list("user_id", flat=True))
        CertificateStatusChange.objects.filter(certificate__officer__in=officers).delete()
        Certificate.objects.filter(officer__in=officers).delete()
        deleted["officers"] = officers.delete()[1].get(Officer._meta.label, 0)
        deleted["users"] = User.objects.filter(pk__in=user_ids).delete()[1].get(User._meta.label, 0)
        OrgUnit.objects.filter(department__region=region).delete()
        deleted["departments"] = departments.delete()[1].get(Department._meta.label, 0)
        region.delete()
    return deleted
