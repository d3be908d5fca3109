from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    """The app lives in ``stats/`` because a top-level package named ``statistics`` would shadow
    Python's standard-library module (Django's SQLite backend imports it); its label stays
    ``statistics`` so tables are ``statistics_*`` and URLs live under ``/statistics/``."""

    name = "stats"
    label = "statistics"
    verbose_name = _("执法统计")

    def ready(self) -> None:
        from xian_enforcement.org.home import register_home_panel, register_officer_panel

        from . import audit_registry  # noqa: F401  (registers models with auditlog)
        from .panels import officer_training_panel, report_home_panel
        from .summaries import connect_signals

        connect_signals()

        register_home_panel(report_home_panel)
        register_officer_panel(officer_training_panel)
