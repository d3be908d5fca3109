from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "xian_enforcement.org"
    label = "org"
    verbose_name = _("组织与人员")

    def ready(self) -> None:
        from . import audit_registry  # noqa: F401  (registers models with auditlog)
