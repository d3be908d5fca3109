from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "xian_enforcement.org"
    label = "org"
    verbose_name = _("组织与人员")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import audit_registry  # noqa: F401  (registers models with auditlog)
        from .middleware import mark_session_touched

        user_logged_in.connect(mark_session_touched, dispatch_uid="xian-session-touched")
