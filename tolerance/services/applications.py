"""Applications (TOL-2, TOL-14b): file, edit, submit, withdraw, investigate, evidence."""

from __future__ import annotations

import datetime
import hashlib

import filetype
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.documents.services import document_number_allocate
from xian_enforcement.org.models import Officer

from .. import access
from ..choices import ApplicationStatus
from ..models import Application, Circumstance, Evidence
from ._common import check_state, full_clean, locked, record, refuse

APPLICATION_FIELDS = ("act", "act_date", "error_category", "field", "statement")
ALLOWED_TYPES = {"application/pdf", "image/jpeg", "image/png", "application/zip"}
# The application number: the unit's own sequence per year of submission (容申〔2026〕3号).
# A draft has none; the number is allocated when it is submitted.
DOCUMENT_KIND = "tolerance_application"
DOCUMENT_WORD = "容申"


def _apply(application: Application, data: dict, circumstances, case_files) -> Application:
    unknown = set(data) - set(APPLICATION_FIELDS)
    if unknown:
        raise ValueError(f"unknown application fields: {sorted(unknown)}")
    for key, value in data.items():
        setattr(application, key, value)
    circumstances = list(circumstances)
    if not circumstances:
        refuse(_("请至少选择一项申请适用的情形（第十条至第十二条）。"), rule_id="TOL-10", field="circumstances")
    if any(c.code == "TOL-13" for c in circumstances):
        refuse(_("第十三条是不予容错的情形，不能作为申请理由。"), rule_id="TOL-13", field="circumstances")
    if application.act_date and application.act_date > timezone.localdate():
        refuse(_("行为日期不能晚于今天。"), field="act_date")
    case_files = list(case_files)
    foreign = [c.number for c in case_files if c.department_id != application.department_id]
    if foreign:
        refuse(
            _("以下案卷不属于当事人所在部门：%(n)s") % {"n": "、".join(foreign)}, rule_id="TOL-2", field="case_files"
        )
    full_clean(application)
    application.save()
    application.circumstances.set(circumstances)
    application.case_files.set(case_files)
    return application


@transaction.atomic
def application_create(*, by_user, officer: Officer, data: dict, circumstances, case_files=()) -> Application:
    """TOL-2/TOL-14b: an officer files for themself, or the unit (legal office, unit head) files
    on behalf of a registered enforcement officer of its department. Starts as a draft."""
    if not access.can_apply(by_user):
        refuse(_("您的角色不能提出容错免责申请。"), rule_id="TOL-14b")
    own = getattr(by_user, "officer", None)
    on_behalf = own is None or own.pk != officer.pk
    if on_behalf and not access.can_apply_on_behalf(by_user):
        refuse(_("执法人员只能为本人提出申请；代为申请须由本单位法制机构或执法机构负责人提出。"), rule_id="TOL-14b")
    if not officer.is_enforcement_officer or officer.department_id is None:
        refuse(_("只能为登记在册的执法人员提出申请。"), rule_id="TOL-2", field="officer")
    if on_behalf and officer.department_id != own.department_id:
        refuse(_("只能为本部门的执法人员代为申请。"), rule_id="TOL-2", field="officer")
    application = Application(
        department_id=officer.department_id, officer=officer, filed_by=by_user, on_behalf=on_behalf
    )
    application = _apply(application, data, circumstances, case_files)
    from ..models import ApplicationEvent

    ApplicationEvent.objects.create(
        application=application,
        to_status=ApplicationStatus.DRAFT,
        by=by_user,
        note=_("单位代为申请") if on_behalf else _("本人申请"),
    )
    return application


@transaction.atomic
def application_update(*, application: Application, by_user, data: dict, circumstances, case_files=()) -> Application:
    application = locked(application)
    check_state(application, ApplicationStatus.DRAFT, action=_("修改"))
    if not access.can_edit_draft(by_user, application):
        refuse(_("只有填报人、当事人或本单位法制机构可以修改申请。"), rule_id="TOL-14b")
    return _apply(application, data, circumstances, case_files)


@transaction.atomic
def application_submit(*, application: Application, by_user) -> Application:
    """draft → submitted; the application gets its number from the unit's sequence for the
    year (容申〔2026〕3号); the risk check of TOL-18 runs on the new count."""
    from .risk import risk_check

    application = locked(application)
    check_state(application, ApplicationStatus.DRAFT, action=_("提交"))
    if not access.can_edit_draft(by_user, application):
        refuse(_("只有填报人、当事人或本单位法制机构可以提交申请。"), rule_id="TOL-14b")
    application.submitted_on = timezone.localdate()
    if not application.document_number:
        application.document_number = document_number_allocate(
            department=application.department,
            year=application.submitted_on.year,
            kind=DOCUMENT_KIND,
            word=DOCUMENT_WORD,
        ).text
    application.save(update_fields=["submitted_on", "document_number", "updated_at"])
    record(application, ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, by_user)
    risk_check(application=application, today=application.submitted_on)
    return application


@transaction.atomic
def application_withdraw(*, application: Application, by_user, reason: str) -> Application:
    application = locked(application)
    check_state(
        application,
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.INVESTIGATING,
        action=_("撤回（认定后不能撤回）"),
    )
    if not access.can_edit_draft(by_user, application):
        refuse(_("只有填报人、当事人或本单位法制机构可以撤回申请。"), rule_id="TOL-14b")
    if not reason.strip():
        refuse(_("撤回须说明理由。"), field="reason")
    record(application, application.status, ApplicationStatus.WITHDRAWN, by_user, reason)
    return application


@transaction.atomic
def application_investigate(*, application: Application, by_user, findings: str) -> Application:
    """TOL-14b: the unit's legal office investigates and records its findings (submitted →
    investigating; findings can be amended while investigating)."""
    application = locked(application)
    check_state(application, ApplicationStatus.SUBMITTED, ApplicationStatus.INVESTIGATING, action=_("调查核实"))
    if not access.can_investigate(by_user, application):
        if access.is_concerned(by_user, application):
            refuse(_("当事人不能调查核实本人的申请。"), rule_id="TOL-14b")
        refuse(_("只有当事人所在单位的法制机构人员可以调查核实。"), rule_id="TOL-14b")
    if not findings.strip():
        refuse(_("请填写调查核实情况。"), rule_id="TOL-14b", field="findings")
    application.findings = findings
    application.investigated_by = by_user
    application.save(update_fields=["findings", "investigated_by", "updated_at"])
    if application.status == ApplicationStatus.SUBMITTED:
        record(application, ApplicationStatus.SUBMITTED, ApplicationStatus.INVESTIGATING, by_user)
    return application


@transaction.atomic
def evidence_add(*, application: Application, by_user, upload, description: str = "") -> Evidence:
    """TOL-3: evidence attachments, checked by size and by content type."""
    application = locked(application)
    check_state(
        application,
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.INVESTIGATING,
        action=_("补充证据"),
    )
    if not (access.can_edit_draft(by_user, application) or access.can_investigate(by_user, application)):
        refuse(_("只有填报人、当事人或本单位法制机构可以上传证据。"), rule_id="TOL-3")
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        refuse(_("文件过大：上限 %(max)s 字节。") % {"max": settings.ATTACHMENT_MAX_BYTES}, field="file")
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        refuse(_("不支持的文件类型（按文件内容识别）：只接受 PDF、JPEG、PNG、ZIP。"), field="file")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(
        application=application,
        original_name=upload.name[:200],
        content_type=kind.mime,
        size=upload.size,
        sha256=digest.hexdigest(),
        description=description[:200],
        uploaded_by=by_user,
    )
    evidence.file.save("upload", upload, save=False)
    evidence.save()
    return evidence


def circumstances_for(codes) -> list[Circumstance]:
    return list(Circumstance.objects.filter(code__in=list(codes)))


def today() -> datetime.date:
    return timezone.localdate()
