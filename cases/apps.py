from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("案卷")

    def ready(self) -> None:
        from . import audit_registry  # noqa: F401  (registers models with auditlog)

        # This year's case figures on the home page are the statistics room's panel
        # (``stats.panels.case_figures_panel``): the dashboard's selectors, one definition.
