"""REV-7 / security.md: verify every self-review record that has a digest or a signature against its
keyed digest and against the seals in the audit chain (``reviews.integrity``). Reports OK or each
record that changed, lost its lock or was deleted; exit status 1 when any did."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reviews.integrity import verify_all


class Command(BaseCommand):
    help = "校验自查记录（REV-7）：有摘要或签署的每一条记录与其带密钥的摘要、审计链中的封存摘要核对。"

    def handle(self, *args, **options):
        report = verify_all()
        for p in report.problems:
            number = f" case {p.case_number}" if p.case_number else ""
            self.stdout.write(f"CHANGED self-review #{p.review_id}{number}: {p.reason}")
        if not report.ok:
            raise CommandError(
                f"{len(report.problems)} problems in {report.checked} signed self-review records (REV-7)"
            )
        self.stdout.write(
            f"OK: {report.checked} signed self-review records match their digests and the audit chain (REV-7)"
        )
