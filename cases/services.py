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

from xian_enforcement.data_versions import bump_on_commit
from xian_enforcement.errors import DomainError
from xian_enforcement.notices import services as notices
from xian_enforcement.org.choices import Role
from xian_enforcement.org.models import Officer
from xian_enforcement.org.selectors import assignable_officers

from .models import CaseAttachment, CaseFile
from .numbers import duplicate_number_error, number_taken

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
) -> None:
    """REV-13 veto items made impossible at entry: at least two officers (执法人员少于2人),
    each holding a valid certificate (无执法资格), all of the department.

    Officers ``already_assigned`` to the file are not re-checked for a certificate, so that a
    later suspension does not freeze the files they handled before it."""
    officers = {main_handler.pk: main_handler} | {o.pk: o for o in co_handlers}
    if len(officers) < settings.RULES["MIN_OFFICERS_PER_CASE"]:
        raise DomainError(
            _("案件须由至少两名执法人员承办（主办人和协办人合计不少于 2 人）。"), rule_id="REV-13", field="co_handlers"
        )
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


def _sync_rev5_deadline(case: CaseFile) -> None:
    """REV-5: closing opens a 30-day transfer deadline (reminders day 20 and 27); transferring
    meets it; reopening (closing date removed) cancels it."""
    if case.closed_on and not case.transferred_for_review_on:
        notices.deadline_open(
            subject=case,
            kind=REV5_KIND,
            rule_id="REV-5",
            title=_("移交案卷自查：%(number)s") % {"number": case.number},
            start_date=case.closed_on,
            days=settings.RULES["REV_5_TRANSFER_DAYS"],
            remind_days=settings.RULES["REV_5_REMIND_DAYS"],
            department=case.department,
            assignee=case.main_handler.user,
            escalate_roles=[Role.LEGAL_HEAD, Role.LEGAL_OFFICER],
            url=reverse("cases:detail", args=[case.pk]),
        )
    elif case.closed_on and case.transferred_for_review_on:
        notices.deadline_meet(subject=case, kind=REV5_KIND)
    else:
        notices.deadline_cancel(subject=case, kind=REV5_KIND)


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
    case = CaseFile.objects.select_for_update().get(pk=case_file.pk)
    return _case_file_write(case, data=data, co_handlers=co_handlers, penalty_kinds=penalty_kinds or [])


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
def case_attachment_add(*, case_file: CaseFile, upload, uploaded_by, description: str = "") -> CaseAttachment:
    """Store an upload after checking its size and its type by content (a renamed executable is
    refused). The stored name is chosen by the server."""
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
    """Delete the row and, after commit, the stored file (security.md: deleting removes it)."""
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
