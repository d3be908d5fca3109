"""REV-7 / security.md "Audit": verification of the signed self-review records (``verify_reviews``).

Every record that has a digest or a signature (or says it is locked) is checked:

- a digest must match the record's content recomputed with the audit key (status, year,
  department, snapshot, findings, signatures … — ``services.canonical_payload``): a status set
  back to submitted, a changed year, a digest recomputed without the key all fail;
- a record with a signature but no digest must not be locked nor carry every sign-off, and must
  match the digest its last sign-off wrote into the audit chain;
- both ways against the chain: a record's digest equals the chain's last seal for it, and every
  record the chain sealed still exists (a deleted record fails).

Seals older than the last audit purge are gone with the rows: records locked before its cutoff
are checked by their keyed digest alone."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.dateparse import parse_datetime

from xian_enforcement.audit.choices import EventType
from xian_enforcement.audit.keys import same
from xian_enforcement.audit.models import AuditEvent

from .choices import ReviewStatus, SignerRole
from .models import ReviewFinding, ReviewSignature, SelfReview
from .services import SEAL, canonical_payload, digest_of

CHUNK = 500


@dataclass
class Problem:
    review_id: int
    case_number: str
    reason: str


@dataclass
class Report:
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def chain_seals() -> tuple[dict[int, str], dict[int, str], bool, datetime.datetime | None]:
    """The last "lock" and "sign" digest the audit chain holds for each record, whether the
    chain has any row at all, and the cutoff of the last purge (seals before it are gone)."""
    locks: dict[int, str] = {}
    signs: dict[int, str] = {}
    rows = AuditEvent.objects.filter(event_type=EventType.STATE_CHANGE, detail__seal=SEAL).order_by("pk")
    for detail in rows.values_list("detail", flat=True).iterator(chunk_size=2000):
        target = locks if detail.get("stage") == "lock" else signs
        for pk, digest in detail.get("records", []):
            target[int(pk)] = digest
    purge = (
        AuditEvent.objects.filter(event_type=EventType.AUDIT_PURGE).order_by("-pk").values_list("detail", flat=True)
    ).first()
    cutoff = parse_datetime(purge["cutoff"]) if purge and purge.get("cutoff") else None
    return locks, signs, AuditEvent.objects.exists(), cutoff


def verify_all() -> Report:
    report = Report()
    locks, signs, chain_has_rows, cutoff = chain_seals()
    ids = list(
        SelfReview.objects.filter(
            ~Q(digest="") | Q(status=ReviewStatus.LOCKED) | Q(pk__in=ReviewSignature.objects.values("review_id"))
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    existing = set(SelfReview.objects.filter(pk__in=set(locks) | set(signs)).values_list("pk", flat=True))
    report.checked = len(ids)
    all_roles = set(SignerRole.values)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        findings, signatures = defaultdict(list), defaultdict(list)
        for row in ReviewFinding.objects.filter(review_id__in=chunk).values_list(
            "review_id", "item_id", "failed", "deduction", "reason"
        ):
            findings[row[0]].append(row[1:])
        for row in ReviewSignature.objects.filter(review_id__in=chunk).values_list(
            "review_id", "role", "user_id", "signer_name", "signed_at"
        ):
            signatures[row[0]].append(row[1:])
        for review in SelfReview.objects.filter(pk__in=chunk).order_by("pk"):
            number = (review.case_snapshot or {}).get("number", "")

            def fail(reason, review=review, number=number):
                report.problems.append(Problem(review.pk, number, reason))

            sigs = signatures[review.pk]
            digest = digest_of(canonical_payload(review, review.case_snapshot, findings[review.pk], sigs))
            if not chain_has_rows:
                fail("the audit chain is empty: the seals cannot be cross-checked")
                continue
            sealed_before_purge = cutoff is not None and (
                (review.locked_at and review.locked_at < cutoff)
                or (not review.locked_at and sigs and min(s[3] for s in sigs) < cutoff)
            )
            if review.digest:
                if not same(digest, review.digest):
                    fail(
                        "content does not match its digest (changed after signing, or digest recomputed without the key)"
                    )
                elif review.status != ReviewStatus.LOCKED:
                    fail(f"has a digest but its status is {review.status}")
                elif review.pk not in locks and not sealed_before_purge:
                    fail("no lock seal in the audit chain")
                elif review.pk in locks and not same(locks[review.pk], review.digest):
                    fail("digest differs from the one sealed in the audit chain")
                continue
            if review.pk in locks:
                fail("the audit chain sealed this record as locked; its digest or status was removed")
            elif review.status == ReviewStatus.LOCKED:
                fail("locked without a digest")
            elif {s[0] for s in sigs} >= all_roles:
                fail("signed by both heads but not locked")
            elif review.status == ReviewStatus.DRAFT:
                fail("a draft carries a signature")
            elif review.pk in signs:
                if not same(signs[review.pk], digest):
                    fail("content differs from what the last signature sealed in the audit chain")
            elif not sealed_before_purge:
                fail("no signature seal in the audit chain")
    for pk in sorted((set(locks) | set(signs)) - existing):
        report.problems.append(Problem(pk, "", "deleted: the audit chain sealed this record, which no longer exists"))
    return report
