"""Writes of case files: create, update, transfer for self-review, attachments."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.audit.services import EventType, audit_event_record
from xian_enforcement.data_versions import bump_on_commit
from xian_enforcement.errors import DomainError
from xian_enforcement.notices import services as notices
from xian_enforcement.org.choices import Role
from xian_enforcement.org.models import Officer
from xian_enforcement.org.selectors import assignable_officers

from . import access
from .models import CaseAttachment, CaseFile, CaseFileAmendment
from .numbers import duplicate_number_error, number_taken
from .signals import case_file_amended

REV5_KIND = "rev5_transfer"

# Attachment types accepted, detected from content (not from the name).
ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/zip": "zip",
}

CASE_FIELDS = [
    "year",
    "number",
    "category",
    "power_item",
    "title",
    "party_kind",
    "party_name",
    "main_handler",
    "filed_on",
    "investigated_on",
    "decided_on",
    "served_on",
    "executed_on",
    "closed_on",
    "archived_on",
    "fine_amount",
    "confiscation_amount",
    "hearing_held",
    "major_decision",
    "legal_review_by",
    "legal_review_on",
    "full_record_kept",
    "publicised_on",
    "publicity_url",
    "transferred_to_police_on",
    "police_organ",
    "police_receipt",
    "reconsideration",
    "litigation",
]


def validate_handlers(
    *,
    department_id: int,
    main_handler: Officer,
    co_handlers: list[Officer],
    on: datetime.date,
    already_assigned: set[int] | frozenset[int] = frozenset(),
    certified: set[int] | None = None,
) -> None:
    """REV-13 veto items made impossible at entry: at least two officers (执法人员少于2人),
    each holding a valid certificate (无执法资格), all of the department.

    Officers ``already_assigned`` to the file are not re-checked for a certificate, so that a
    later suspension does not freeze the files they handled before it. ``certified`` (the pks
    certified on ``on``, from ``assignable_officers``) lets a bulk import load them once per day."""
    officers = {main_handler.pk: main_handler} | {o.pk: o for o in co_handlers}
    if len(officers) < settings.RULES["MIN_OFFICERS_PER_CASE"]:
        raise DomainError(
            _("案件须由至少两名执法人员承办（主办人和协办人合计不少于 2 人）。"), rule_id="REV-13", field="co_handlers"
        )
    if certified is None:
        certified = set(assignable_officers(None, on).filter(pk__in=officers).values_list("pk", flat=True))
    refused = [o.name for pk, o in officers.items() if pk not in certified and pk not in already_assigned]
    if refused:
        raise DomainError(
            _("以下人员在 %(day)s 没有有效的行政执法证（暂停、吊销、过期或未持证），不能承办案件：%(names)s")
            % {"day": on.isoformat(), "names": "、".join(refused)},
            rule_id="REV-13",
            field="main_handler" if main_handler.pk not in certified | set(already_assigned) else "co_handlers",
        )
    foreign = [o.name for o in officers.values() if o.department_id != department_id]
    if foreign:
        raise DomainError(
            _("以下人员不属于本部门，不能承办本部门案件：%(names)s") % {"names": "、".join(foreign)},
            field="co_handlers",
        )


def _number_key(case: CaseFile) -> dict:
    return {"department_id": case.department_id, "year": case.year, "number": case.number}


def _to_domain_error(exc: ValidationError) -> DomainError:
    if hasattr(exc, "message_dict"):
        field, _messages = next(iter(exc.message_dict.items()))
        text = "；".join(f"{m}" for msgs in exc.message_dict.values() for m in msgs)
        return DomainError(text, field=None if field == "__all__" else field)
    return DomainError("；".join(exc.messages))


def _rev5_opening(case: CaseFile) -> notices.DeadlineOpening:
    return notices.DeadlineOpening(
        subject=case,
        title=_("移交案卷自查：%(number)s") % {"number": case.number},
        start_date=case.closed_on,
        department=case.department,
        assignee=case.main_handler.user,
        url=reverse("cases:detail", args=[case.pk]),
    )


def _rev5_rule() -> dict[str, Any]:
    """The REV-5 schedule, the same for one file and for a ledger of them."""
    return {
        "kind": REV5_KIND,
        "rule_id": "REV-5",
        "days": settings.RULES["REV_5_TRANSFER_DAYS"],
        "remind_days": settings.RULES["REV_5_REMIND_DAYS"],
        "escalate_roles": [Role.LEGAL_HEAD, Role.LEGAL_OFFICER],
    }


def _sync_rev5_deadline(case: CaseFile) -> None:
    """REV-5: closing opens a 30-day transfer deadline (reminders day 20 and 27); transferring
    meets it; reopening (closing date removed) cancels it."""
    if case.closed_on and not case.transferred_for_review_on:
        o = _rev5_opening(case)
        notices.deadline_open(
            subject=case,
            title=o.title,
            start_date=o.start_date,
            department=o.department,
            assignee=o.assignee,
            url=o.url,
            **_rev5_rule(),
        )
    elif case.closed_on and case.transferred_for_review_on:
        notices.deadline_meet(subject=case, kind=REV5_KIND)
    else:
        notices.deadline_cancel(subject=case, kind=REV5_KIND)


def case_file_sync_rev5(case: CaseFile) -> None:
    """REV-5 deadline of a file written in bulk (the ledger import), as after a service write."""
    _sync_rev5_deadline(case)


def case_files_sync_rev5(cases: list[CaseFile]) -> None:
    """``_sync_rev5_deadline`` for many files written in bulk (the ledger import), set-based:
    the files to open, to meet and to cancel each take a few queries per 500 files, not one
    ``deadline_open`` per closed file."""
    to_open = [c for c in cases if c.closed_on and not c.transferred_for_review_on]
    to_meet = [c for c in cases if c.closed_on and c.transferred_for_review_on]
    to_cancel = [c for c in cases if not c.closed_on]
    if to_open:
        notices.deadline_open_many(openings=[_rev5_opening(c) for c in to_open], **_rev5_rule())
    notices.deadline_meet_many(subjects=to_meet, kind=REV5_KIND)
    notices.deadline_cancel_many(subjects=to_cancel, kind=REV5_KIND)


@transaction.atomic
def case_file_create(
    *,
    department,
    data: dict[str, Any],
    co_handlers: list[Officer],
    penalty_kinds: list | None = None,
    created_by=None,
) -> CaseFile:
    """Create a case file after checking every rule on it (stage order, two certified handlers,
    unique number, amounts ≥ 0)."""
    case = CaseFile(department=department, created_by=created_by)
    return _case_file_write(case, data=data, co_handlers=co_handlers, penalty_kinds=penalty_kinds or [])


@transaction.atomic
def case_file_update(
    *, case_file: CaseFile, data: dict[str, Any], co_handlers: list[Officer], penalty_kinds: list | None = None
) -> CaseFile:
    """Every write of a stored file comes here (the edit page, the ledger import): a frozen
    file (REV-7: self-review record submitted or locked, or archived) is refused; it changes
    only through ``case_file_amend``."""
    case = CaseFile.objects.select_for_update().get(pk=case_file.pk)
    _refuse_if_frozen(case)
    return _case_file_write(case, data=data, co_handlers=co_handlers, penalty_kinds=penalty_kinds or [])


def _refuse_if_frozen(case: CaseFile) -> None:
    freeze = access.freeze_of(case)
    if freeze is not None:
        raise DomainError(freeze.message, rule_id="REV-7")


def _case_file_write(
    case: CaseFile, *, data: dict[str, Any], co_handlers: list[Officer], penalty_kinds: list
) -> CaseFile:
    unknown = set(data) - set(CASE_FIELDS)
    if unknown:
        raise ValueError(f"unknown case fields: {sorted(unknown)}")
    already_assigned: set[int] = set()
    if case.pk:
        already_assigned = {case.main_handler_id, *case.co_handlers.values_list("pk", flat=True)}
    for key, value in data.items():
        setattr(case, key, value)
    if not case.year and case.filed_on:
        case.year = case.filed_on.year
    for amount in ("fine_amount", "confiscation_amount"):
        if getattr(case, amount) is None:
            setattr(case, amount, Decimal("0.00"))
    if case.power_item_id and case.power_item.department_id != case.department_id:
        raise DomainError(_("职权事项不属于本部门的权力清单（TOL-6）。"), rule_id="TOL-6", field="power_item")
    if case.number and case.year and number_taken(**_number_key(case), exclude_pk=case.pk):
        raise duplicate_number_error(**_number_key(case))
    try:
        case.full_clean(exclude=["co_handlers", "penalty_kinds"])
    except ValidationError as exc:
        raise _to_domain_error(exc) from exc
    validate_handlers(
        department_id=case.department_id,
        main_handler=case.main_handler,
        co_handlers=co_handlers,
        on=case.filed_on,
        already_assigned=already_assigned,
    )
    case.status = case.derived_status()
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:
        # Two writers passed validation at once; the unique constraint decides (no 500).
        raise duplicate_number_error(**_number_key(case)) from exc
    case.co_handlers.set([o for o in co_handlers if o.pk != case.main_handler_id])
    case.penalty_kinds.set(penalty_kinds)
    _sync_rev5_deadline(case)
    bump_on_commit("cases")
    return case


MANY_FIELDS = ("co_handlers", "penalty_kinds")


def _field_text(case: CaseFile, name: str) -> str:
    field = CaseFile._meta.get_field(name)
    value = getattr(case, name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if field.is_relation:
        return getattr(value, "name", None) or str(value)
    return str(value)


def _field_value(case: CaseFile, name: str):
    field = CaseFile._meta.get_field(name)
    value = getattr(case, field.attname)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"  # "500" and "500.00" are one amount
    return value


def _version(case: CaseFile, co_handlers: list[Officer], penalty_kinds: list) -> dict[str, tuple[Any, str]]:
    """The file's content as (JSON value, display text) per field, for an amendment's
    before/after (REV-7). ``co_handlers`` without the main handler, as stored."""
    out = {name: (_field_value(case, name), _field_text(case, name)) for name in CASE_FIELDS}
    co = sorted((o for o in co_handlers if o.pk != case.main_handler_id), key=lambda o: o.pk)
    kinds = sorted(penalty_kinds, key=lambda p: p.pk)
    out["co_handlers"] = ([o.pk for o in co], "、".join(o.name for o in co))
    out["penalty_kinds"] = ([p.pk for p in kinds], "、".join(p.name for p in kinds))
    return out


def _label(name: str) -> str:
    return str(CaseFile._meta.get_field(name).verbose_name)


@transaction.atomic
def case_file_amend(
    *,
    case_file: CaseFile,
    data: dict[str, Any],
    co_handlers: list[Officer],
    penalty_kinds: list | None = None,
    reason: str,
    by,
    attachment=None,
    attachment_description: str = "",
) -> CaseFileAmendment:
    """REV-7: amend (更正) a frozen file. Only the legal office of the file's department; a
    reason is required; every rule of an ordinary write applies. The changed fields' values
    before and after are kept as a version row, the amendment is audited, and the self-review
    record is marked "案卷在评查后被更正" (``case_file_amended``) for the legal office to
    review again. A file that is not frozen is edited, not amended. ``attachment`` (an upload)
    adds a document as part of the amendment — the only way a frozen file takes one — and is
    listed among the changes (附件: the documents' ids before and after)."""
    case = CaseFile.objects.select_for_update().get(pk=case_file.pk)
    if not access.can_amend(by, case):
        raise DomainError(_("只有本部门法制机构人员或法制机构负责人可以更正定稿的案卷（REV-7）。"), rule_id="REV-7")
    freeze = access.freeze_of(case)
    if freeze is None:
        raise DomainError(_("该案卷尚未定稿，可直接编辑，无需更正（REV-7）。"), rule_id="REV-7")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("更正定稿的案卷须写明更正理由（REV-7）。"), rule_id="REV-7", field="reason")
    penalty_kinds = penalty_kinds or []
    before = _version(case, list(case.co_handlers.all()), list(case.penalty_kinds.all()))
    case = _case_file_write(case, data=data, co_handlers=co_handlers, penalty_kinds=penalty_kinds)
    after = _version(case, co_handlers, penalty_kinds)
    changes = {
        name: {
            "label": _label(name),
            "before": before[name][0],
            "after": after[name][0],
            "before_text": before[name][1],
            "after_text": after[name][1],
        }
        for name in [*CASE_FIELDS, *MANY_FIELDS]
        if before[name][0] != after[name][0]
    }
    if attachment is not None:
        kept = sorted(case.attachments.values_list("pk", flat=True))
        added = _attachment_store(case, upload=attachment, uploaded_by=by, description=attachment_description)
        changes["attachments"] = {
            "label": str(_("附件")),
            "before": kept,
            "after": [*kept, added.pk],
            "before_text": _("%(n)s 件") % {"n": len(kept)},
            "after_text": _("%(n)s 件，新增“%(name)s”") % {"n": len(kept) + 1, "name": added.original_name},
        }
    if not changes:
        raise DomainError(_("没有修改任何内容，无需更正。"), rule_id="REV-7")
    officer = getattr(by, "officer", None)
    amendment = CaseFileAmendment.objects.create(
        case_file=case,
        reason=reason,
        changes=changes,
        frozen_by=freeze.kind,
        amended_by=by,
        amended_by_name=officer.name if officer else by.get_username(),
        amended_at=timezone.now(),
    )
    masked = {
        name: {"before": "***", "after": "***"} if name in AMENDMENT_MASKED else {k: c[k] for k in ("before", "after")}
        for name, c in changes.items()
    }
    audit_event_record(
        event_type=EventType.STATE_CHANGE,
        user=by,
        obj=case,
        detail={
            "rule": "REV-7",
            "action": "case_file_amended",
            "case_file": case.pk,
            "amendment": amendment.pk,
            "frozen_by": freeze.kind,
            "reason": reason,
            "changes": masked,
        },
    )
    case_file_amended.send(sender=CaseFile, case_file=case, amendment=amendment, by=by)
    return amendment


# Personal data (security.md): kept in the amendment row, never in an audit row.
AMENDMENT_MASKED = {"party_name"}


@transaction.atomic
def case_file_transfer_for_review(*, case_file: CaseFile, by_user, on: datetime.date | None = None) -> CaseFile:
    """REV-5: the handler transfers a closed file to the legal office for self-review."""
    case = CaseFile.objects.select_for_update().get(pk=case_file.pk)
    if not case.closed_on:
        raise DomainError(_("案件尚未结案，不能移交自查。"), rule_id="REV-5")
    if case.transferred_for_review_on:
        raise DomainError(
            _("该案卷已于 %(day)s 移交自查。") % {"day": case.transferred_for_review_on.isoformat()}, rule_id="REV-5"
        )
    case.transferred_for_review_on = on or timezone.localdate()
    case.full_clean(exclude=["co_handlers", "penalty_kinds"])
    case.save(update_fields=["transferred_for_review_on", "updated_at"])
    _sync_rev5_deadline(case)
    bump_on_commit("cases")
    return case


@transaction.atomic
@transaction.atomic
def case_attachment_add(*, case_file: CaseFile, upload, uploaded_by, description: str = "") -> CaseAttachment:
    """Store an upload after checking its size and its type by content (a renamed executable is
    refused). The stored name is chosen by the server. A frozen file (REV-7) takes no new
    document: what was reviewed is what is kept; a missing document is added by the legal
    office as part of an amendment (``case_file_amend``)."""
    case = CaseFile.objects.select_for_update().get(pk=case_file.pk)
    _refuse_if_frozen(case)
    return _attachment_store(case, upload=upload, uploaded_by=uploaded_by, description=description)


def _attachment_store(case_file: CaseFile, *, upload, uploaded_by, description: str) -> CaseAttachment:
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise DomainError(
            _("文件过大：%(size)s 字节，上限 %(max)s 字节。")
            % {"size": upload.size, "max": settings.ATTACHMENT_MAX_BYTES}
        )
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime not in ALLOWED_ATTACHMENT_TYPES:
        raise DomainError(_("不支持的文件类型（按文件内容识别）：只接受 PDF、JPEG、PNG、DOCX、XLSX、ZIP。"))
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = CaseAttachment(
        case_file=case_file,
        original_name=upload.name[:200],
        content_type=mime,
        size=upload.size,
        sha256=digest.hexdigest(),
        description=description,
        uploaded_by=uploaded_by,
    )
    attachment.file.save("upload", upload, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def case_attachment_delete(*, attachment: CaseAttachment) -> None:
    """Delete the row and, after commit, the stored file (security.md: deleting removes it).
    A frozen file's documents stay (REV-7): what was reviewed is kept."""
    _refuse_if_frozen(CaseFile.objects.select_for_update().get(pk=attachment.case_file_id))
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
