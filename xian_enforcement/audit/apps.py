from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "xian_enforcement.audit"
    label = "audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from xian_enforcement.jobs.registry import register_exporter

        from . import checks, receivers  # noqa: F401  (start-up checks, sign-in events)
        from .exports import audit_events_job_write

        register_exporter("audit_events", audit_events_job_write)
