"""REV-7 / security.md: recompute the digest of every locked self-review record and report OK
or each record whose content changed after signing. Exit status 1 when any changed. Reads in
chunks of 500 records (four queries per chunk)."""

from __future__ import annotations

import hashlib
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError

from cases.models import CaseFile
from reviews.choices import ReviewStatus
from reviews.models import ReviewFinding, ReviewSignature, SelfReview
from reviews.services import canonical_payload

CHUNK = 500


class Command(BaseCommand):
    help = "校验已签署锁定的自查记录内容摘要（REV-7）：报告 OK 或每一条被改动的记录。"

    def handle(self, *args, **options):
        ids = list(SelfReview.objects.filter(status=ReviewStatus.LOCKED).order_by("pk").values_list("pk", flat=True))
        changed = 0
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            reviews = list(SelfReview.objects.filter(pk__in=chunk))
            findings, signatures = defaultdict(list), defaultdict(list)
            for row in ReviewFinding.objects.filter(review_id__in=chunk).values_list(
                "review_id", "item_id", "failed", "deduction", "reason"
            ):
                findings[row[0]].append(row[1:])
            for row in ReviewSignature.objects.filter(review_id__in=chunk).values_list(
                "review_id", "role", "user_id", "signer_name", "signed_at"
            ):
                signatures[row[0]].append(row[1:])
            cases = {
                c["id"]: c
                for c in CaseFile.objects.filter(pk__in=[r.case_file_id for r in reviews]).values(
                    "id", "number", "department_id"
                )
            }
            for review in reviews:
                case = cases[review.case_file_id]
                content = canonical_payload(review, case, findings[review.pk], signatures[review.pk])
                if not review.digest or hashlib.sha256(content).hexdigest() != review.digest:
                    changed += 1
                    self.stdout.write(
                        f"CHANGED self-review #{review.pk} case {case['number']} (locked {review.locked_at:%Y-%m-%d})"
                    )
        if changed:
            raise CommandError(f"{changed} of {len(ids)} locked self-review records changed after signing (REV-7)")
        self.stdout.write(f"OK: {len(ids)} locked self-review records match their digests (REV-7)")
