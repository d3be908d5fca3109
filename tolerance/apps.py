from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToleranceConfig(AppConfig):
    name = "tolerance"
    verbose_name = _("尽职免责和容错纠错")

    def ready(self) -> None:
        from xian_enforcement.jobs.registry import register_exporter
        from xian_enforcement.org.demo import register_demo_builder
        from xian_enforcement.org.home import register_home_panel, register_officer_panel

        from . import (
            audit_registry,  # noqa: F401  (registers models with auditlog)
            demo,
        )
        from .exports import complaints_job_write
        from .home import clarification_panel, tolerance_panel

        register_home_panel(tolerance_panel)
        register_officer_panel(clarification_panel)
        register_exporter("complaints", complaints_job_write)
        register_demo_builder("tolerance", demo.build, reset=demo.reset, after=("cases",))
