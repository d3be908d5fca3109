from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarksConfig(AppConfig):
    """The benchmark harness of performance.md (``manage.py bench``), outside the core: installed
    only when ``BENCH=1`` or in tests (``xian_enforcement/settings_test.py``). No models; its
    urlconf (``benchmarks.urls``) is used only by the bench, never by the project's."""

    name = "benchmarks"
    label = "bench"
    verbose_name = _("性能基准")
