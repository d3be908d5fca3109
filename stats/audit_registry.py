"""Statistics models whose changes go to the audit trail (django-auditlog): every change of a
reported figure is kept in history (STA-3)."""

from auditlog.registry import auditlog

from .models import ReportFigure, StatReport, TrainingSession

auditlog.register(StatReport)
auditlog.register(ReportFigure)
auditlog.register(TrainingSession, m2m_fields={"attendees"})
