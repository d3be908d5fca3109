"""Target 12 of performance.md: a ledger of N rows (default 5,000) previewed and confirmed
through ``cases.ledger`` takes at most 30 × writing the same rows with ``bulk_create``, and 2N
rows at most 2.2 × N rows. The rows are those of cases/tests/test_ledger_performance.py (four in
five closed files, each opening its REV-5 deadline), written for a department of the loaded data.

Each write runs in a savepoint that is rolled back, so the bench database is left as it was
(and the import's after-commit work, a data-version bump, is not part of the time)."""

from __future__ import annotations

import datetime
import io
import time

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from openpyxl import Workbook

from cases import ledger
from cases.models import CaseCategory, CaseFile, PowerItem
from xian_enforcement.org.choices import CertificateStatus
from xian_enforcement.org.models import Certificate

POWER_CODE = "BENCH-LEDGER-0001"
CLOSED_SHARE = 5  # every row except each fifth is a closed file


def closed(i: int) -> bool:
    return i % CLOSED_SHARE != 0


class _Rollback(Exception):
    pass


def _rolled_back(fn):
    """Run ``fn`` in a savepoint and roll it back; returns what ``fn`` returned."""
    box = []
    try:
        with transaction.atomic():
            box.append(fn())
            raise _Rollback
    except _Rollback:
        pass
    return box[0]


class LedgerBench:
    def __init__(self, user, year: int | None = None):
        self.user = user
        self.department = user.officer.department
        self.year = year or timezone.localdate().year - 1
        self.dates = {
            "filed": datetime.date(self.year, 3, 2),
            "investigated": datetime.date(self.year, 3, 20),
            "decided": datetime.date(self.year, 4, 1),
            "served": datetime.date(self.year, 4, 3),
            "executed": datetime.date(self.year, 4, 10),
            "closed": datetime.date(self.year, 4, 15),
        }
        certs = (
            Certificate.objects.filter(
                officer__department=self.department,
                status=CertificateStatus.ACTIVE,
                valid_from__lte=self.dates["filed"],
                valid_to__gte=self.dates["closed"],
            )
            .select_related("officer")
            .order_by("pk")
        )
        certs = list(certs[:2])
        if len(certs) < 2:
            raise RuntimeError(f"{self.department}: fewer than two officers with a valid certificate")
        self.a, self.b = certs

    def workbook(self, n: int, prefix: str) -> bytes:
        headers = [c.header for c in ledger.LEDGER_COLUMNS]
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("台账")
        ws.append(headers)
        d = self.dates
        for i in range(1, n + 1):
            row = {
                "案号": f"{prefix}〔{self.year}〕{i}号",
                "年度": self.year,
                "类别": "行政处罚",
                "职权编码": POWER_CODE,
                "案由": f"销售过期食品案{i}",
                "相对人类型": "法人或其他组织",
                "相对人": f"隰县某超市{i}",
                "主办人执法证号": self.a.number,
                "协办人执法证号": self.b.number,
                "立案日期": datetime.datetime.combine(d["filed"], datetime.time()),
                "调查终结日期": d["investigated"].isoformat(),
                "决定日期": d["decided"].isoformat(),
                "送达日期": d["served"],
                "执行日期": d["executed"].isoformat() if closed(i) else None,
                "结案日期": d["closed"] if closed(i) else None,
                "处罚种类": "警告、罚款",
                "罚款金额": 2000,
                "听证": "否",
            }
            ws.append([row.get(h) for h in headers])
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()

    def bulk_create_seconds(self, n: int, power: PowerItem) -> float:
        """The floor: the same rows written with one ``bulk_create``."""
        category = CaseCategory.objects.get(code="punishment")
        d = self.dates
        rows = [
            CaseFile(
                department=self.department,
                year=self.year,
                number=f"基准底线〔{self.year}〕{i}号",
                category=category,
                power_item=power,
                title=f"销售过期食品案{i}",
                party_kind="org",
                party_name=f"隰县某超市{i}",
                main_handler=self.a.officer,
                filed_on=d["filed"],
                investigated_on=d["investigated"],
                decided_on=d["decided"],
                served_on=d["served"],
                executed_on=d["executed"] if closed(i) else None,
                closed_on=d["closed"] if closed(i) else None,
                fine_amount=2000,
            )
            for i in range(1, n + 1)
        ]

        def write():
            start = time.perf_counter()
            CaseFile.objects.bulk_create(rows, batch_size=1000)
            return time.perf_counter() - start

        return _rolled_back(write)

    def preview_and_confirm_seconds(self, content: bytes) -> float:
        def run():
            start = time.perf_counter()
            result = ledger.ledger_preview(department=self.department, content=content, user=self.user)
            if not result.ok:
                raise RuntimeError(f"preview refused: {[str(e) for e in result.errors[:3]]}")
            ledger.ledger_import(department=self.department, content=content, user=self.user)
            return time.perf_counter() - start

        return _rolled_back(run)

    def measure(self, n: int) -> dict:
        """Seconds of: bulk_create of n rows, preview+confirm of n rows and of 2n rows."""
        with override_settings(IMPORT_MAX_ROWS=max(10_000, 2 * n)), transaction.atomic():
            power = PowerItem.objects.create(
                department=self.department,
                code=POWER_CODE,
                name="对销售过期食品的处罚（基准）",
                category=CaseCategory.objects.get(code="punishment"),
                legal_basis="《中华人民共和国食品安全法》",
                responsible_post="执法股",
                liability_form="责令改正",
            )
            floor = self.bulk_create_seconds(n, power)
            one = self.preview_and_confirm_seconds(self.workbook(n, "基准甲"))
            two = self.preview_and_confirm_seconds(self.workbook(2 * n, "基准乙"))
            transaction.set_rollback(True)
        return {"n": n, "bulk_create": floor, "one": one, "two": two}
