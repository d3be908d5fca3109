from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("案卷")

    def ready(self) -> None:
        from xian_enforcement.org.home import register_home_panel

        from . import audit_registry  # noqa: F401  (registers models with auditlog)
        from .home import case_figures_panel

        register_home_panel(case_figures_panel)
