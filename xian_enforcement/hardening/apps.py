from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HardeningConfig(AppConfig):
    """Security headers, rate limits, the CSRF failure page and ``manage.py permission_matrix``."""

    name = "xian_enforcement.hardening"
    label = "hardening"
    verbose_name = _("安全加固")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
