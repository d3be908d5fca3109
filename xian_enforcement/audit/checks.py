"""Start-up checks for the audit settings."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def retention_at_least_six_months(app_configs, **kwargs):
    if settings.AUDIT_RETENTION_MONTHS < 6:
        return [
            Error(
                "AUDIT_RETENTION_MONTHS must be at least 6 (网络安全法 第21条: logs kept at least six months).",
                id="audit.E001",
            )
        ]
    return []


@register(deploy=True)
def audit_hmac_key_set(app_configs, **kwargs):
    """security.md "Audit": production keys the audit chain and the signed records with a key the
    database cannot read; the development key derived from the secret key does not count."""
    from .keys import DEV_KEY_PREFIX

    key = getattr(settings, "AUDIT_HMAC_KEY", "")
    if not key or key.startswith(DEV_KEY_PREFIX):
        return [
            Error(
                "AUDIT_HMAC_KEY (or AUDIT_HMAC_KEY_FILE) must be set in production: the audit chain and the "
                "signed review records are keyed with it (docs/operations.md).",
                id="audit.E002",
            )
        ]
    if len(key) < 32:
        return [Error("AUDIT_HMAC_KEY must have at least 32 characters.", id="audit.E003")]
    return []
