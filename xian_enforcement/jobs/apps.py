from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Background export jobs (performance.md target 8): an export of more than
    ``EXPORT_SYNC_MAX_ROWS`` rows runs in Celery with a progress page and a download link."""

    name = "xian_enforcement.jobs"
    label = "jobs"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the exporter check)
