from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchConfig(AppConfig):
    """The benchmark harness of performance.md (``manage.py bench``): no models, no URLs in the
    project's urlconf."""

    name = "xian_enforcement.bench"
    label = "bench"
    verbose_name = _("性能基准")
