from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("案卷")

    def ready(self) -> None:
        from xian_enforcement.jobs.registry import register_exporter
        from xian_enforcement.org.demo import register_demo_builder

        from . import (
            audit_registry,  # noqa: F401  (registers models with auditlog)
            demo,
        )
        from .exports import case_list_job_write
        from .powerlist import power_list_job_write

        register_exporter("cases", case_list_job_write)
        register_exporter("power_list", power_list_job_write)
        register_demo_builder("cases", demo.build, reset=demo.reset)

        # This year's case figures on the home page are the statistics room's panel
        # (``stats.panels.case_figures_panel``): the dashboard's selectors, one definition.
