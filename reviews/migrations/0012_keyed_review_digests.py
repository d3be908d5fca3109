"""REV-7: signed records get a keyed digest over everything a signature vouches for, and
their seal in the audit chain.

For every record with a signature or a digest: the case snapshot is taken from the case file as it
is now; a locked record whose old unkeyed SHA-256 digest still matches its content gets the keyed
digest and a "lock" seal; one that does not match keeps its old digest, so ``verify_reviews``
reports it (a re-key never launders a changed record); a submitted record with one sign-off
gets a "sign" seal of its content. Deterministic: the same rows and key give the same digests.
Idempotent: a record already keyed is left alone."""

import hashlib
import json

from django.db import migrations

CHUNK = 500


def _legacy_payload(review, case, findings, signatures) -> bytes:
    """The digest's content before it was keyed (reviews/services.py, canonical_payload)."""
    payload = {
        "case_file": case,
        "template": [review.template_id],
        "reviewer": [review.reviewer_id, review.reviewer_name],
        "problems_substance": review.problems_substance,
        "problems_procedure": review.problems_procedure,
        "score": str(review.score),
        "veto_failed": review.veto_failed,
        "grade": review.grade,
        "submitted_at": review.submitted_at.isoformat() if review.submitted_at else None,
        "findings": [[i, f, str(d), r] for i, f, d, r in sorted(findings)],
        "signatures": [[r, u, n, t.isoformat()] for r, u, n, t in sorted(signatures)],
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def forwards(apps, schema_editor):
    from django.core.serializers.json import DjangoJSONEncoder

    from reviews.services import SEAL, SNAPSHOT_FIELDS, canonical_payload, digest_of
    from xian_enforcement.audit.services import chain_append_raw

    alias = schema_editor.connection.alias
    SelfReview = apps.get_model("reviews", "SelfReview")
    ReviewFinding = apps.get_model("reviews", "ReviewFinding")
    ReviewSignature = apps.get_model("reviews", "ReviewSignature")
    CaseFile = apps.get_model("cases", "CaseFile")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    signed = set(ReviewSignature.objects.using(alias).values_list("review_id", flat=True))
    ids = sorted(set(SelfReview.objects.using(alias).exclude(digest="").values_list("pk", flat=True)) | signed)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        reviews = list(SelfReview.objects.using(alias).filter(pk__in=chunk, case_snapshot={}).order_by("pk"))
        findings, signatures = {}, {}
        for row in (
            ReviewFinding.objects.using(alias)
            .filter(review_id__in=chunk)
            .values_list("review_id", "item_id", "failed", "deduction", "reason")
        ):
            findings.setdefault(row[0], []).append(row[1:])
        for row in (
            ReviewSignature.objects.using(alias)
            .filter(review_id__in=chunk)
            .values_list("review_id", "role", "user_id", "signer_name", "signed_at")
        ):
            signatures.setdefault(row[0], []).append(row[1:])
        cases = {
            row["id"]: json.loads(json.dumps(row, cls=DjangoJSONEncoder))
            for row in CaseFile.objects.using(alias)
            .filter(pk__in=[r.case_file_id for r in reviews])
            .values(*SNAPSHOT_FIELDS)
        }
        locks, signs = [], []
        for review in reviews:
            snapshot = cases[review.case_file_id]
            f, s = findings.get(review.pk, []), signatures.get(review.pk, [])
            old_case = {k: snapshot[k] for k in ("id", "number", "department_id")}
            if review.digest:
                legacy = hashlib.sha256(_legacy_payload(review, old_case, f, s)).hexdigest()
                if legacy != review.digest:
                    continue  # changed after signing: left for verify_reviews to report
                review.case_snapshot = snapshot
                review.digest = digest_of(canonical_payload(review, snapshot, f, s))
                locks.append((review.pk, review.digest))
            else:
                review.case_snapshot = snapshot
                signs.append((review.pk, digest_of(canonical_payload(review, snapshot, f, s))))
            SelfReview.objects.using(alias).filter(pk=review.pk).update(
                case_snapshot=review.case_snapshot, digest=review.digest
            )
        for stage, records in (("lock", locks), ("sign", signs)):
            if records:
                chain_append_raw(
                    AuditEvent,
                    AuditChainHead,
                    using=alias,
                    event_type="state_change",
                    username="migrate",
                    object_repr=f"{len(records)} 条自查记录",
                    detail={"rule": "REV-7", "seal": SEAL, "stage": stage, "records": [list(r) for r in records]},
                )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0011_selfreview_case_snapshot"),
        ("audit", "0006_keyed_chain_truncate_trigger"),
        ("cases", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
