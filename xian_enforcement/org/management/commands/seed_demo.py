"""``python manage.py seed_demo``: load the demo county (隰县) — idempotent.

The core builds the organisation (xian_enforcement.org.demo); the case room's demo data come from
``cases.demo.build``, found by dotted path at run time so that the core imports no domain app.
A second run finds the demo county and only resets the demo accounts' passwords.
"""

from __future__ import annotations

import time

from auditlog.context import disable_auditlog
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from xian_enforcement.audit.choices import EventType
from xian_enforcement.audit.services import audit_event_record
from xian_enforcement.env import envbool
from xian_enforcement.org import demo
from xian_enforcement.org.models import Department, Officer


class Command(BaseCommand):
    help = "加载演示县（隰县）：部门、执法人员、权力清单、三年案卷和各角色演示账号；重复运行不会重复创建。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default=demo.DEFAULT_PASSWORD, help="演示账号的密码（每次运行都会重置为此密码）"
        )
        parser.add_argument(
            "--cases", type=int, default=None, help="案卷总数（默认约 7,500 件；测试可用较小的值，如 300）"
        )
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="随机数种子（默认固定，结果可复现）")
        parser.add_argument("--reset", action="store_true", help="先删除已有的演示数据，再重新生成")
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="DJANGO_DEBUG=false 时仍然加载演示数据（仅限确认不是生产数据库时）",
        )

    def handle(self, *args, password: str, cases: int | None, seed: int, reset: bool, **options):
        started = time.monotonic()
        # DJANGO_DEBUG as the deployment sets it (the test runner forces settings.DEBUG off).
        if not envbool("DJANGO_DEBUG", True) and not options.get("not_production"):
            # Demo accounts with a published password must never reach a production database.
            raise CommandError(
                "DJANGO_DEBUG=false：这看起来是生产环境，拒绝加载演示数据（演示账号的密码是公开的）。"
                "确认不是生产数据库时，请加 --i-know-this-is-not-production。"
            )
        if cases is not None and cases < 0:
            raise CommandError("--cases 不能为负数。")
        try:
            demo.check_password(password)
        except ValidationError as exc:
            raise CommandError("演示账号密码不符合密码规则：" + "；".join(exc.messages))

        # The demo data are inserted in bulk; one audit event records the run instead of a
        # trail entry per generated row.
        with disable_auditlog():
            if reset and demo.demo_exists():
                try:
                    deleted = demo.reset()
                except ProtectedError as exc:
                    raise CommandError(f"其他数据仍引用演示数据，无法删除（{exc.args[0]}）；请改用新的数据库。")
                self.stdout.write(f"已删除演示数据：{deleted}")
            if demo.demo_exists():
                self.stdout.write(self.style.WARNING("演示县已存在，不重复创建；演示账号密码已重置。"))
                built = None
            else:
                try:
                    built = demo.build(cases=cases, seed=seed)
                except RuntimeError as exc:
                    raise CommandError(str(exc))
        missing = demo.reset_passwords(password)
        if missing:
            self.stdout.write(self.style.WARNING(f"以下演示账号不存在（可用 --reset 重建）：{', '.join(missing)}"))
        elapsed = time.monotonic() - started
        audit_event_record(
            event_type=EventType.IMPORT,
            username="seed_demo",
            detail={"command": "seed_demo", "built": built is not None, "counts": built.counts if built else {}},
        )
        self._report(password, elapsed)

    def _report(self, password: str, elapsed: float) -> None:
        rows = demo.account_rows()
        headers = ("用户名", "角色", "部门", "密码")
        table = [headers, *[(u, r, d, password) for u, r, d in rows]]
        widths = [max(_width(row[i]) for row in table) for i in range(len(headers))]
        self.stdout.write("")
        self.stdout.write("演示账号：")
        for k, row in enumerate(table):
            self.stdout.write("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)))
            if k == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        region = demo.demo_region()
        departments = Department.objects.filter(region=region).count() if region else 0
        officers = Officer.objects.filter(region=region).count() if region else 0
        # Case files are counted through the app registry, without importing the case room.
        try:
            case_model = apps.get_model("cases", "CaseFile")
        except LookupError:
            case_model = None
        n_cases = case_model.objects.filter(department__region=region).count() if case_model and region else 0
        self.stdout.write("")
        self.stdout.write(f"部门 {departments} 个，人员 {officers} 名，案卷 {n_cases} 件；用时 {elapsed:.1f} 秒。")


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(text))


def _pad(text: str, width: int) -> str:
    return str(text) + " " * (width - _width(text))
