"""Writes of the tolerance room (services ``<entity>_<action>(*, ...)``)."""

from .applications import (
    application_create,
    application_investigate,
    application_submit,
    application_update,
    application_withdraw,
    evidence_add,
)
from .complaints import (
    clarification_record,
    complaint_close,
    complaint_conclude,
    complaint_feedback,
    complaint_register,
)
from .corrections import CORRECTION_KIND, correction_issue, correction_item_report, extension_decide, extension_request
from .decisions import (
    NOTIFY_KIND,
    allowed_outcomes,
    application_close,
    decision_notify,
    decision_publish,
    decision_record,
    notice_acknowledge,
)
from .risk import risk_check

__all__ = [
    "CORRECTION_KIND",
    "NOTIFY_KIND",
    "allowed_outcomes",
    "application_close",
    "application_create",
    "application_investigate",
    "application_submit",
    "application_update",
    "application_withdraw",
    "clarification_record",
    "complaint_close",
    "complaint_conclude",
    "complaint_feedback",
    "complaint_register",
    "correction_issue",
    "correction_item_report",
    "decision_notify",
    "decision_publish",
    "decision_record",
    "evidence_add",
    "extension_decide",
    "extension_request",
    "notice_acknowledge",
    "risk_check",
]
