"""``python manage.py purge_export_jobs [--days N]``: delete export jobs (and their files)
older than N days (default ``EXPORT_JOB_KEEP_DAYS``, 7). The beat task jobs.purge_old does the
same daily."""

from django.core.management.base import BaseCommand

from xian_enforcement.jobs.services import export_jobs_purge


class Command(BaseCommand):
    help = "删除超过保留天数的导出任务及其文件"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="保留天数（默认 EXPORT_JOB_KEEP_DAYS）")

    def handle(self, *args, days, **options):
        n = export_jobs_purge(days=days)
        self.stdout.write(f"已删除 {n} 个导出任务。")
