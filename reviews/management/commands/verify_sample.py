"""REV-11: re-run the draw of a campaign from its recorded seed and show that the same files
come out (exit status 1 if not)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cases.models import CaseFile
from reviews.models import InspectionCampaign
from reviews.sampling import campaign_verify, make_seed


class Command(BaseCommand):
    help = "复核层级监督检查的随机抽样（REV-11）：用记录的种子重新抽取，比较是否得到相同的案卷。"

    def add_arguments(self, parser):
        parser.add_argument("campaign", type=int, help="检查编号")

    def handle(self, *args, campaign, **options):
        c = InspectionCampaign.objects.filter(pk=campaign).first()
        if c is None:
            raise CommandError(f"no campaign {campaign}")
        if make_seed(c.public_value, c.seed_date) != c.seed:
            raise CommandError(f"seed of campaign {c.pk} does not match sha256(public value | date)")
        self.stdout.write(f"campaign {c.pk} {c.title}: seed {c.seed} = sha256('{c.public_value}|{c.seed_date}')")
        result = campaign_verify(c)
        if not result.candidates_intact:
            raise CommandError("the candidate list stored with the draw does not match its keyed digest")
        source = "the candidates stored at the draw" if result.from_stored_candidates else "the current files"
        self.stdout.write(f"re-running the draw from {source}")
        numbers = dict(CaseFile.objects.filter(pk__in=result.stored | result.recomputed).values_list("pk", "number"))
        if result.same:
            self.stdout.write(f"OK: the draw reproduces the same {len(result.stored)} files")
            return
        for pk in sorted(result.missing):
            self.stdout.write(f"stored but not drawn now: {numbers.get(pk, pk)}")
        for pk in sorted(result.extra):
            self.stdout.write(f"drawn now but not stored: {numbers.get(pk, pk)}")
        raise CommandError("the draw does not reproduce the stored sample")
