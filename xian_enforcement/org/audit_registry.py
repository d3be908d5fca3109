"""Models whose every create/update/delete goes to the audit trail (django-auditlog)."""

from auditlog.registry import auditlog

from .models import Certificate, CertificateStatusChange, Department, Officer, OrgUnit, Region

auditlog.register(Region)
auditlog.register(Department)
auditlog.register(OrgUnit)
auditlog.register(Officer, mask_fields=["id_number", "phone"])
auditlog.register(Certificate)
auditlog.register(CertificateStatusChange)
