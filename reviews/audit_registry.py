"""Review-room models whose changes go to the audit trail (django-auditlog). The records hold
no personal data beyond names of signers already public within the unit."""

from auditlog.registry import auditlog

from .models import (
    ChecklistItem,
    ChecklistTemplate,
    ReviewFinding,
    ReviewNotice,
    ReviewSignature,
    SelfReview,
    SelfReviewRecheck,
)

auditlog.register(SelfReview)
auditlog.register(ReviewFinding)
auditlog.register(ReviewSignature)
auditlog.register(ReviewNotice)
auditlog.register(ChecklistTemplate)
auditlog.register(ChecklistItem)
auditlog.register(SelfReviewRecheck)
