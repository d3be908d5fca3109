"""Settings of the test suite (pyproject.toml's ``DJANGO_SETTINGS_MODULE``): the project's
settings, read from the environment as always, plus the benchmark app so its tests run; outside
tests it is installed only with ``BENCH=1``."""

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS

if "benchmarks" not in INSTALLED_APPS:
    INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]
