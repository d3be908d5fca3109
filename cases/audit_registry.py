"""Case-room models whose changes go to the audit trail (django-auditlog)."""

from auditlog.registry import auditlog

from .models import CaseAttachment, CaseCategory, CaseFile, PenaltyKind, PowerItem

auditlog.register(CaseFile, m2m_fields={"co_handlers", "penalty_kinds"}, mask_fields=["party_name"])
auditlog.register(CaseAttachment)
auditlog.register(PowerItem)
auditlog.register(CaseCategory)
auditlog.register(PenaltyKind)
