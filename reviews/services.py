"""Writes of the self-review room (REV-7, REV-13, REV-14, REV-15): start, save a draft, submit,
sign, lock with a digest, deliver the written notice. Every function checks the current state
and who acts, and refuses with ``DomainError(rule_id=...)``."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import CaseFile
from xian_enforcement.audit.keys import keyed_hexdigest, same
from xian_enforcement.audit.services import EventType, audit_event_record
from xian_enforcement.documents.services import document_number_allocate
from xian_enforcement.errors import DomainError
from xian_enforcement.notices import services as notices
from xian_enforcement.org.choices import Role
from xian_enforcement.org.scoping import scope_for

from . import scoring
from .choices import ItemKind, ReviewStatus, SignerRole
from .models import ChecklistItem, ChecklistTemplate, ReviewFinding, ReviewNotice, ReviewSignature, SelfReview


def _officer_name(user) -> str:
    officer = getattr(user, "officer", None)
    return officer.name if officer else user.get_username()


def _require_legal_office(user, case: CaseFile) -> None:
    from .selectors import HANDLER_MAY_NOT_REVIEW, handled

    scope = scope_for(user)
    if scope.is_read_only or not scope.writes_department or scope.department_id != case.department_id:
        raise DomainError(_("只有本部门法制机构人员或法制机构负责人可以填写自查记录（REV-7）。"), rule_id="REV-7")
    if handled(user, case):
        raise DomainError(str(HANDLER_MAY_NOT_REVIEW), rule_id="REV-7")


def current_template(category_id: int) -> ChecklistTemplate | None:
    return (
        ChecklistTemplate.objects.filter(category_id=category_id, is_active=True)
        .order_by("-version")
        .prefetch_related("items")
        .first()
    )


@transaction.atomic
def self_review_start(*, case_file: CaseFile, by) -> SelfReview:
    """REV-2/REV-5/REV-12: a closed file, transferred to the legal office, not under
    reconsideration or litigation; one record per file; the current checklist version of its
    category is kept with the record (REV-14)."""
    case = CaseFile.objects.select_for_update().get(pk=case_file.pk)
    _require_legal_office(by, case)
    if not case.closed_on:
        raise DomainError(_("评查只针对已结案的案卷，该案卷尚未结案。"), rule_id="REV-2")
    if case.excluded_from_review:
        raise DomainError(_("该案卷处于行政复议或行政诉讼中，不再评查。"), rule_id="REV-12")
    if not case.transferred_for_review_on:
        raise DomainError(_("该案卷尚未移交法制机构，请承办人先移交（REV-5）。"), rule_id="REV-5")
    if SelfReview.objects.filter(case_file=case).exists():
        raise DomainError(_("该案卷已有自查记录。"), rule_id="REV-7")
    template = current_template(case.category_id)
    if template is None:
        raise DomainError(
            _("“%(c)s”类案卷还没有启用的评查标准，请系统管理员先添加（REV-14）。") % {"c": case.category.name},
            rule_id="REV-14",
        )
    review = SelfReview(
        case_file=case,
        department_id=case.department_id,
        template=template,
        reviewer=by,
        reviewer_name=_officer_name(by),
        year=case.closed_on.year,
        score=template.total_points,
    )
    review.score, review.veto_failed, review.grade = _result(template.items.all(), {})
    review.full_clean()
    review.save()
    return review


def _result(items, findings: dict) -> tuple[Decimal, bool, str]:
    result = scoring.compute(list(items), findings)
    return result.score, result.veto_failed, result.grade


def parse_findings(template: ChecklistTemplate, data) -> tuple[dict[int, tuple[bool, Decimal, str]], list[str]]:
    """Read ``veto_<id>``, ``deduct_<id>``, ``reason_<id>`` from form data. Returns the findings
    and the errors (each naming its item)."""
    findings: dict[int, tuple[bool, Decimal, str]] = {}
    errors: list[str] = []
    for item in template.items.all():
        if item.kind == ItemKind.VETO:
            if data.get(f"veto_{item.pk}"):
                findings[item.pk] = (True, Decimal(0), (data.get(f"reason_{item.pk}") or "").strip())
            continue
        raw = (data.get(f"deduct_{item.pk}") or "").strip()
        reason = (data.get(f"reason_{item.pk}") or "").strip()
        if not raw:
            continue
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            errors.append(_("第 %(n)s 项“%(t)s”：扣分须是数字。") % {"n": item.order, "t": item.text})
            continue
        if amount < 0 or amount.as_tuple().exponent < -1 or not amount.is_finite():
            errors.append(
                _("第 %(n)s 项“%(t)s”：扣分须为不小于 0 的数，最多一位小数。") % {"n": item.order, "t": item.text}
            )
            continue
        if amount > 0:
            findings[item.pk] = (False, amount, reason)
    return findings, errors


@transaction.atomic
def self_review_save(
    *,
    review: SelfReview,
    by,
    findings: dict[int, tuple[bool, Decimal, str]],
    problems_substance: str,
    problems_procedure: str,
) -> SelfReview:
    """Save the draft: findings replace the previous ones; score and grade recomputed
    (REV-13 veto → 0 and 不合格; REV-14 deductions stop at zero per item; REV-15 bands).
    Each deduction and each failed veto item needs a reason (REV-14)."""
    review = SelfReview.objects.select_for_update().select_related("case_file").get(pk=review.pk)
    _require_legal_office(by, review.case_file)
    if review.status != ReviewStatus.DRAFT:
        raise DomainError(_("自查记录已提交，不能再修改（REV-7）。"), rule_id="REV-7")
    items = {i.pk: i for i in ChecklistItem.objects.filter(template_id=review.template_id)}
    unknown = set(findings) - set(items)
    if unknown:
        raise DomainError(_("评查项目不属于本记录使用的评查标准。"), rule_id="REV-14")
    missing = [items[pk] for pk, (_f, _d, reason) in findings.items() if not reason]
    if missing:
        raise DomainError(
            _("以下项目扣分或否决须写明理由：%(items)s")
            % {"items": "；".join(f"{i.order}. {i.text}" for i in missing)},
            rule_id="REV-14",
        )
    ReviewFinding.objects.filter(review=review).delete()
    rows = [
        ReviewFinding(review=review, item=items[pk], failed=failed, deduction=deduction, reason=reason[:300])
        for pk, (failed, deduction, reason) in findings.items()
    ]
    for row in rows:
        row.full_clean(exclude=["review"])
    ReviewFinding.objects.bulk_create(rows)
    review.problems_substance = problems_substance.strip()
    review.problems_procedure = problems_procedure.strip()
    review.score, review.veto_failed, review.grade = _result(
        items.values(), {pk: (f, d) for pk, (f, d, _r) in findings.items()}
    )
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def self_review_submit(*, review: SelfReview, by) -> SelfReview:
    """draft → submitted. REV-7: a record that deducts points or fails a veto item lists the
    problems found."""
    review = SelfReview.objects.select_for_update().select_related("case_file").get(pk=review.pk)
    _require_legal_office(by, review.case_file)
    if review.status != ReviewStatus.DRAFT:
        raise DomainError(_("自查记录已提交。"), rule_id="REV-7")
    has_findings = review.findings.exists()
    if has_findings and not (review.problems_substance or review.problems_procedure):
        raise DomainError(_("有扣分或否决项的自查记录须列明发现的问题（实体或程序）（REV-7）。"), rule_id="REV-7")
    review.status = ReviewStatus.SUBMITTED
    review.submitted_at = timezone.now()
    review.case_snapshot = case_snapshots([review.case_file_id])[review.case_file_id]
    review.save(update_fields=["status", "submitted_at", "case_snapshot", "updated_at"])
    return review


def signer_roles_for(user, review: SelfReview) -> list[str]:
    """The sign-offs ``user`` may make on ``review``: the REV-7 heads of the reviewed file's
    department, signing as themselves."""
    from .selectors import handled

    scope = scope_for(user)
    if scope.department_id != review.case_file.department_id or scope.is_read_only:
        return []
    if handled(user, review.case_file):
        return []  # REV-7: a head who handled the file does not vouch for its review
    return [r for r in SignerRole.values if r in scope.roles]


def missing_signers(review: SelfReview) -> list[str]:
    """REV-7: the sign-offs still due on ``review`` that nobody may make: every active holder of
    the post in the file's department handled the file (or already signed the other post). The
    record page says so, and who must act (another holder of the post, e.g. a deputy, is
    appointed by the security administrator). One query."""
    from django.contrib.auth import get_user_model

    if review.status != ReviewStatus.SUBMITTED:
        return []
    signatures = list(review.signatures.all())
    due = [r for r in SignerRole.values if r not in {s.role for s in signatures}]
    if not due:
        return []
    signed = [s.user_id for s in signatures]
    case = review.case_file
    co = CaseFile.co_handlers.through.objects.filter(casefile_id=case.pk).values("officer_id")
    holders = set(
        get_user_model()
        .objects.filter(is_active=True, officer__department_id=case.department_id, groups__name__in=due)
        .exclude(pk__in=signed)
        .exclude(officer__pk=case.main_handler_id)
        .exclude(officer__pk__in=co)
        .values_list("groups__name", flat=True)
    )
    return [r for r in due if r not in holders]


@transaction.atomic
def self_review_sign(*, review: SelfReview, by, role: str) -> SelfReview:
    """REV-7: the head of the legal office and the head of the reviewed enforcement unit each
    sign, as themselves, in either order; two distinct people. After both the record locks, its
    digest is stored and the written notice goes to the main handler."""
    review = SelfReview.objects.select_for_update().select_related("case_file").get(pk=review.pk)
    if review.status == ReviewStatus.LOCKED:
        raise DomainError(_("自查记录已签署锁定，不能再签署或修改（REV-7）。"), rule_id="REV-7")
    if review.status != ReviewStatus.SUBMITTED:
        raise DomainError(_("自查记录提交后才能签署（REV-7）。"), rule_id="REV-7")
    if role not in SignerRole.values:
        raise DomainError(_("未知的签署身份。"), rule_id="REV-7")
    label = SignerRole(role).label
    if role not in signer_roles_for(by, review):
        from .selectors import handled

        if role in scope_for(by).roles and handled(by, review.case_file):
            raise DomainError(
                _("您承办了该案卷（主办或协办），不能为其自查记录签署；须由本部门另一位%(role)s签署（REV-7）。")
                % {"role": label},
                rule_id="REV-7",
            )
        raise DomainError(
            _("只有被评查案卷所在部门的%(role)s本人登录后才能以该身份签署；您不具备该身份（REV-7）。")
            % {"role": label},
            rule_id="REV-7",
        )
    signatures = list(review.signatures.all())
    if any(s.role == role for s in signatures):
        raise DomainError(_("%(role)s已经签署。") % {"role": label}, rule_id="REV-7")
    if any(s.user_id == by.pk for s in signatures):
        raise DomainError(
            _("法制机构负责人和执法机构负责人须由两人分别签署，同一人不能签署两次（REV-7）。"), rule_id="REV-7"
        )
    try:
        with transaction.atomic():
            signature = ReviewSignature.objects.create(
                review=review, role=role, user=by, signer_name=_officer_name(by), signed_at=timezone.now()
            )
    except IntegrityError as exc:
        raise DomainError(_("该身份已由他人签署。"), rule_id="REV-7") from exc
    signatures.append(signature)
    if not review.case_snapshot:  # submitted before snapshots were kept
        review.case_snapshot = case_snapshots([review.case_file_id])[review.case_file_id]
        review.save(update_fields=["case_snapshot", "updated_at"])
    seal_in_chain(
        stage="sign", records=[(review.pk, review_digest(review))], by=by, obj=review, detail={"signed_as": role}
    )
    if {s.role for s in signatures} == set(SignerRole.values):
        _lock(review, by)
    return review


# The case file as the reviewers saw it, kept in the record at submission: the digest covers this
# copy, so a later legitimate amendment of the file leaves the signed record verifiable.
SNAPSHOT_FIELDS = (
    "id",
    "number",
    "department_id",
    "category_id",
    "year",
    "title",
    "main_handler_id",
    "filed_on",
    "decided_on",
    "closed_on",
    "fine_amount",
)
# The name of the sealed records in the audit chain (``detail["seal"]`` of their events).
SEAL = "reviews.selfreview"


def case_snapshots(case_ids) -> dict[int, dict]:
    """The snapshot of each case file, as JSON-ready values (dates ISO, amounts as strings)."""
    rows = CaseFile.objects.filter(pk__in=list(case_ids)).values(*SNAPSHOT_FIELDS)
    return {row["id"]: json.loads(json.dumps(row, cls=DjangoJSONEncoder)) for row in rows}


def canonical_content(review: SelfReview) -> bytes:
    """The content the digest covers: everything a signature vouches for — the status, year and
    department, the case file as reviewed (the stored snapshot), the checklist version, every
    finding, the problems, score, grade, the times, and each sign-off (who and when)."""
    findings = ReviewFinding.objects.filter(review_id=review.pk).values_list("item_id", "failed", "deduction", "reason")
    signatures = ReviewSignature.objects.filter(review_id=review.pk).values_list(
        "role", "user_id", "signer_name", "signed_at"
    )
    return canonical_payload(review, review.case_snapshot, list(findings), list(signatures))


def canonical_payload(review: SelfReview, snapshot: dict, findings: list[tuple], signatures: list[tuple]) -> bytes:
    """``canonical_content`` from data already loaded (the verifier and the demo builder digest
    in bulk)."""
    payload = {
        "record": [SEAL, review.pk],
        "case_file": snapshot,
        "department": review.department_id,
        "year": review.year,
        "status": review.status,
        "template": [review.template_id],
        "reviewer": [review.reviewer_id, review.reviewer_name],
        "problems_substance": review.problems_substance,
        "problems_procedure": review.problems_procedure,
        "score": str(review.score),
        "veto_failed": review.veto_failed,
        "grade": review.grade,
        "submitted_at": review.submitted_at.isoformat() if review.submitted_at else None,
        "locked_at": review.locked_at.isoformat() if review.locked_at else None,
        "findings": [[i, f, str(d), r] for i, f, d, r in sorted(findings)],
        "signatures": [[r, u, n, t.isoformat()] for r, u, n, t in sorted(signatures)],
    }
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder
    ).encode()


def digest_of(content: bytes) -> str:
    """Keyed (HMAC-SHA256 with ``AUDIT_HMAC_KEY``): a digest recomputed by someone who changed the
    row in the database without the key does not match."""
    return keyed_hexdigest(SEAL.encode() + b":" + content)


def review_digest(review: SelfReview) -> str:
    return digest_of(canonical_content(review))


def verify(review: SelfReview) -> bool:
    """REV-7 / security.md: a locked record whose content no longer matches its digest."""
    return bool(review.digest) and same(review_digest(review), review.digest)


def seal_in_chain(*, stage: str, records: list[tuple[int, str]], by=None, obj=None, detail=None) -> None:
    """Write the records' digests into the audit chain (``stage``: "sign" or "lock"), so the
    verifier can cross-check both ways: a record against its seal, and every seal against a
    record that still exists."""
    audit_event_record(
        event_type=EventType.STATE_CHANGE,
        user=by,
        obj=obj,
        detail={"rule": "REV-7", "seal": SEAL, "stage": stage, "records": [list(r) for r in records], **(detail or {})},
    )


def _lock(review: SelfReview, by) -> None:
    review.status = ReviewStatus.LOCKED
    review.locked_at = timezone.now()
    review.digest = review_digest(review)
    review.save(update_fields=["status", "locked_at", "digest", "updated_at"])
    seal_in_chain(stage="lock", records=[(review.pk, review.digest)], by=by, obj=review)
    _deliver_notice(review)


# The written notice's number: the unit's own sequence per year (评查〔2026〕3号).
NOTICE_DOCUMENT_KIND = "review_notice"
NOTICE_DOCUMENT_WORD = "评查"


def _deliver_notice(review: SelfReview) -> ReviewNotice:
    """REV-7: the written notice to the main handler: PDF stored, inbox notification sent."""
    from .pdf import notice_pdf

    case = review.case_file
    handler = case.main_handler
    issued_on = timezone.localdate()
    number = document_number_allocate(
        department=case.department, year=issued_on.year, kind=NOTICE_DOCUMENT_KIND, word=NOTICE_DOCUMENT_WORD
    )
    content = notice_pdf(review, document_number=number.text, issued_on=issued_on)
    notice = ReviewNotice(
        review=review,
        recipient=handler.user,
        recipient_name=handler.name,
        document_number=number.text,
        pdf_sha256=hashlib.sha256(content).hexdigest(),
        delivered_at=timezone.now(),
    )
    notice.pdf.save("notice.pdf", ContentFile(content), save=False)
    notice.save()
    notices.notify(
        recipient=handler.user,
        title=_("评查结果通知书：%(n)s（%(g)s）") % {"n": case.number, "g": review.get_grade_display()},
        body=_("您主办的案卷 %(n)s 已完成自查评查，得分 %(s)s，等次 %(g)s。请查阅评查结果通知书。")
        % {"n": case.number, "s": review.score, "g": review.get_grade_display()},
        url=reverse("reviews:notice", args=[review.pk]),
        rule_id="REV-7",
        dedupe_key=f"rev7-notice-{review.pk}",
    )
    return notice


def notice_mark_read(*, notice: ReviewNotice, by) -> bool:
    """REV-7: reading is recorded when the recipient opens the notice (first time only)."""
    if by.pk != notice.recipient_id or notice.read_at:
        return False
    return bool(ReviewNotice.objects.filter(pk=notice.pk, read_at__isnull=True).update(read_at=timezone.now()))


@transaction.atomic
def checklist_template_new_version(*, template: ChecklistTemplate, by) -> ChecklistTemplate:
    """REV-14: copy a checklist into the next version (inactive until an administrator edits and
    activates it); the versions reviews used stay unchanged."""
    if not scope_for(by).has(Role.SYSADMIN):
        raise DomainError(_("只有系统管理员可以修订评查标准（REV-14）。"), rule_id="REV-14")
    latest = ChecklistTemplate.objects.filter(category_id=template.category_id).order_by("-version").first()
    copy = ChecklistTemplate(
        category_id=template.category_id, version=latest.version + 1, name=template.name, is_active=False, created_by=by
    )
    try:
        copy.full_clean()
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), rule_id="REV-14") from exc
    copy.save()
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(template=copy, kind=i.kind, stage=i.stage, order=i.order, text=i.text, points=i.points)
            for i in template.items.all()
        ]
    )
    return copy


def self_review_flag_case_amended(*, case_file: CaseFile, **_kwargs) -> SelfReview | None:
    """REV-7: the file of a submitted or locked record was amended (更正) after review: mark
    the record "案卷在评查后被更正" (shown on the record and in the legal office's queue) so
    that the legal office reviews it again. The digest does not cover the mark. Connected to
    ``cases.signals.case_file_amended``; runs inside the amendment's transaction."""
    review = SelfReview.objects.select_for_update().filter(case_file_id=case_file.pk).first()
    if review is None or review.status == ReviewStatus.DRAFT:
        return review
    review.case_amended = True
    review.case_amended_at = timezone.now()
    review.save(update_fields=["case_amended", "case_amended_at", "updated_at"])
    return review
