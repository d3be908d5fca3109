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
