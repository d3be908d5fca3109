"""``python manage.py rebuild_summaries [--region CODE]``: recompute the case-file summary
(``statistics.CaseMonthSummary``) from the case table, for every department or for the
departments of one region (a county, or a province and its counties)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from stats.case_summaries import summary_rebuild
from xian_enforcement.org.models import Department, Region


class Command(BaseCommand):
    help = "从案卷表重新计算统计汇总表（全部，或 --region 指定的行政区域及其下级）"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="行政区划代码；省、市级包括其下级区县")

    def handle(self, *args, region: str, **options):
        started = time.perf_counter()
        department_ids = None
        if region:
            found = Region.objects.filter(code=region).first()
            if found is None:
                raise CommandError(f"没有行政区划代码为 {region} 的区域。")
            department_ids = list(
                Department.objects.filter(
                    Q(region=found) | Q(region__parent=found) | Q(region__parent__parent=found)
                ).values_list("pk", flat=True)
            )
        rows = summary_rebuild(department_ids)
        scope = region or "全部"
        self.stdout.write(f"汇总表已重建（{scope}）：{rows} 行，用时 {time.perf_counter() - started:.1f} 秒。")
