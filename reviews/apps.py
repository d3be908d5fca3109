from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("案卷评查")

    def ready(self) -> None:
        from cases.panels import register_case_panel

        from . import audit_registry  # noqa: F401  (registers models with auditlog)
        from .panels import case_reviews_panel

        register_case_panel(case_reviews_panel)
