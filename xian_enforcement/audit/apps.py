from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "xian_enforcement.audit"
    label = "audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401  (start-up checks, sign-in events)
