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
        from xian_enforcement.jobs.registry import register_exporter
        from xian_enforcement.org.demo import register_demo_builder
        from xian_enforcement.org.home import register_home_panel, register_officer_panel

        from . import (
            audit_registry,  # noqa: F401  (registers models with auditlog)
            demo,
        )
        from .case_summaries import connect_signals
        from .export_jobs import county_job_write
        from .panels import case_figures_panel, officer_training_panel, report_home_panel

        connect_signals()
        _connect_report_version()

        register_home_panel(case_figures_panel)
        register_home_panel(report_home_panel)
        register_officer_panel(officer_training_panel)
        register_exporter("statistics_county", county_job_write)
        # Last: the summaries are rebuilt after every room that writes case files.
        register_demo_builder("stats", demo.build, reset=demo.reset, after=("cases", "reviews", "tolerance"))


def _connect_report_version() -> None:
    """A statistics report written bumps the ``statistics`` data version after commit: the
    dashboard's cached overdue reports (STA-2) are recomputed on the next request."""
    from django.db.models.signals import post_delete, post_save

    from xian_enforcement.data_versions import bump_on_commit

    from .models import StatReport

    def bump(sender, **kwargs) -> None:
        bump_on_commit("statistics")

    post_save.connect(bump, sender=StatReport, weak=False, dispatch_uid="stats-report-version-save")
    post_delete.connect(bump, sender=StatReport, weak=False, dispatch_uid="stats-report-version-delete")
