"""Complaints and clarification (TOL-19)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.org.models import Officer

from .. import access
from ..choices import CLEARED_OUTCOMES, ComplaintOutcome, ComplaintStatus
from ..models import Clarification, Complaint, Decision
from ._common import full_clean, refuse

COMPLAINT_FIELDS = ("received_on", "channel", "summary", "anonymous", "reporter_name", "reporter_contact")


def _handler(by_user, accused_id: int | None = None) -> None:
    if not access.handles_complaints(by_user):
        refuse(_("只有司法局信访举报办理人员可以办理信访举报。"), rule_id="TOL-19")
    if not access.can_handle_complaint_about(by_user, accused_id):
        refuse(_("被反映人本人不能登记、办理或为本人澄清关于本人的信访举报。"), rule_id="TOL-19")


@transaction.atomic
def complaint_register(*, by_user, accused: Officer, data: dict) -> Complaint:
    """Register a complaint, real-name (reporter's name required, encrypted) or anonymous."""
    _handler(by_user, accused.pk)
    unknown = set(data) - set(COMPLAINT_FIELDS)
    if unknown:
        raise ValueError(f"unknown complaint fields: {sorted(unknown)}")
    if accused.department_id is None or accused.region_id != by_user.officer.region_id:
        refuse(_("被反映人须为本县登记在册的执法人员。"), rule_id="TOL-19", field="accused")
    complaint = Complaint(
        region_id=accused.region_id, accused=accused, accused_department_id=accused.department_id, created_by=by_user
    )
    for key, value in data.items():
        setattr(complaint, key, value)
    if complaint.anonymous:
        complaint.reporter_name = complaint.reporter_contact = ""
    elif not (complaint.reporter_name or "").strip():
        refuse(_("实名举报须填写举报人姓名。"), rule_id="TOL-19", field="reporter_name")
    full_clean(complaint)
    complaint.save()
    return complaint


def _locked(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=complaint.pk)


@transaction.atomic
def complaint_conclude(
    *, complaint: Complaint, by_user, outcome: str, note: str, decision: Decision | None = None
) -> Complaint:
    """open → concluded, with the outcome; "tolerated" needs a tolerated decision on the accused."""
    complaint = _locked(complaint)
    _handler(by_user, complaint.accused_id)
    if complaint.status != ComplaintStatus.OPEN:
        refuse(_("该信访举报已查结。"), rule_id="TOL-19")
    if outcome not in ComplaintOutcome.values:
        refuse(_("请选择查处结果。"), rule_id="TOL-19", field="outcome")
    if not note.strip():
        refuse(_("请写明查处情况。"), rule_id="TOL-19", field="outcome_note")
    if outcome == ComplaintOutcome.TOLERATED:
        if decision is None or not decision.tolerated or decision.application.officer_id != complaint.accused_id:
            refuse(_("“已予容错”须关联被反映人的一项免责或容错认定。"), rule_id="TOL-19", field="decision")
    else:
        decision = None
    complaint.outcome, complaint.outcome_note, complaint.decision = outcome, note, decision
    complaint.status = ComplaintStatus.CONCLUDED
    full_clean(complaint)
    complaint.save()
    return complaint


@transaction.atomic
def complaint_feedback(
    *, complaint: Complaint, by_user, text: str, on: datetime.date | None = None, scope: str = ""
) -> Complaint:
    """Real-name: feedback to the reporter; anonymous: an explanation within a scope."""
    complaint = _locked(complaint)
    _handler(by_user, complaint.accused_id)
    if complaint.status != ComplaintStatus.CONCLUDED:
        refuse(_("须先查结，才能反馈或说明。"), rule_id="TOL-19")
    if not text.strip():
        refuse(_("请填写反馈或说明内容。"), rule_id="TOL-19", field="text")
    if complaint.anonymous:
        if not scope.strip():
            refuse(_("匿名举报须写明说明的范围。"), rule_id="TOL-19", field="scope")
        complaint.explanation_scope, complaint.explanation_text = scope, text
    else:
        complaint.feedback_text = text
    complaint.feedback_on = on or timezone.localdate()
    complaint.save()
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, by_user) -> Complaint:
    """concluded → closed. TOL-19: found untrue, unfounded or tolerated → a real-name reporter
    must have had feedback, an anonymous report an explanation within a scope."""
    complaint = _locked(complaint)
    _handler(by_user, complaint.accused_id)
    if complaint.status != ComplaintStatus.CONCLUDED:
        refuse(_("须先查结，才能办结。"), rule_id="TOL-19")
    if complaint.outcome in CLEARED_OUTCOMES:
        if not complaint.anonymous and not complaint.feedback_text.strip():
            refuse(_("实名举报查实为不实、查无实据或已予容错的，须先向举报人反馈，才能办结。"), rule_id="TOL-19")
        if complaint.anonymous and not complaint.explanation_text.strip():
            refuse(_("匿名举报查实为不实、查无实据或已予容错的，须先在一定范围内说明，才能办结。"), rule_id="TOL-19")
    complaint.status, complaint.closed_on = ComplaintStatus.CLOSED, timezone.localdate()
    complaint.save(update_fields=["status", "closed_on"])
    return complaint


@transaction.atomic
def clarification_record(
    *, complaint: Complaint, by_user, scope: str, form: str, on: datetime.date, text: str
) -> Clarification:
    """澄清正名 for an officer whom a complaint found untrue or unfounded accused."""
    complaint = Complaint.objects.get(pk=complaint.pk)
    _handler(by_user, complaint.accused_id)
    if complaint.outcome not in (ComplaintOutcome.UNTRUE, ComplaintOutcome.UNFOUNDED):
        refuse(_("只有经查不实或查无实据的举报，才能为被反映人澄清正名。"), rule_id="TOL-19")
    clarification = Clarification(
        officer_id=complaint.accused_id,
        complaint=complaint,
        scope=scope,
        form=form,
        on=on,
        text=text,
        created_by=by_user,
    )
    full_clean(clarification)
    clarification.save()
    return clarification
