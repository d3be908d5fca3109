from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("案卷评查")

    def ready(self) -> None:
        from cases.access import register_freeze_check
        from cases.panels import register_case_panel
        from cases.signals import case_file_amended

        from . import audit_registry  # noqa: F401  (registers models with auditlog)
        from .panels import case_reviews_panel
        from .selectors import case_freeze
        from .services import self_review_flag_case_amended

        register_case_panel(case_reviews_panel)
        # REV-7: a file with a submitted or locked record is final; an amendment marks the record.
        register_freeze_check(case_freeze)
        case_file_amended.connect(self_review_flag_case_amended, dispatch_uid="reviews.case_amended")
