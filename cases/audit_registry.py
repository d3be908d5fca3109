"""Case-room models whose changes go to the audit trail (django-auditlog)."""

from auditlog.registry import auditlog

from .models import CaseAttachment, CaseCategory, CaseFile, CaseFileAmendment, PenaltyKind, PowerItem

auditlog.register(CaseFile, m2m_fields={"co_handlers", "penalty_kinds"}, mask_fields=["party_name"])
auditlog.register(CaseAttachment)
auditlog.register(CaseFileAmendment, mask_fields=["changes"])  # before/after: the explicit REV-7 event
auditlog.register(PowerItem)
auditlog.register(CaseCategory)
auditlog.register(PenaltyKind)
