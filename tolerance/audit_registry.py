"""Tolerance-room models whose changes go to the audit trail (django-auditlog). The reporter's
identity (TOL-19) is excluded outright: masking would still log half of it."""

from auditlog.registry import auditlog

from .models import (
    Application,
    Clarification,
    Complaint,
    CorrectionItem,
    CorrectionOrder,
    Decision,
    DecisionNotice,
    Evidence,
    ExtensionRequest,
    RiskWarning,
)

auditlog.register(Application, m2m_fields={"circumstances", "case_files"}, mask_fields=["act", "statement"])
auditlog.register(Decision, m2m_fields={"accepted", "members_present"})
auditlog.register(DecisionNotice)
auditlog.register(Evidence)
auditlog.register(CorrectionOrder)
auditlog.register(CorrectionItem)
auditlog.register(ExtensionRequest)
auditlog.register(RiskWarning)
auditlog.register(Complaint, exclude_fields=["reporter_name", "reporter_contact"], mask_fields=["summary"])
auditlog.register(Clarification)
