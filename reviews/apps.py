from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("案卷评查")

    def ready(self) -> None:
        from cases.access import register_freeze_check
        from cases.panels import register_case_panel
        from cases.signals import case_file_amended
        from xian_enforcement.jobs.registry import register_exporter
        from xian_enforcement.org.demo import register_demo_builder
        from xian_enforcement.warmup import register_warm_up

        from . import (
            audit_registry,  # noqa: F401  (registers models with auditlog)
            demo,
            pdf,
        )
        from .annual_export import assessment_job_write
        from .panels import case_reviews_panel
        from .selectors import case_freeze, case_freezes
        from .services import self_review_flag_case_amended

        register_case_panel(case_reviews_panel)
        register_exporter("review_assessment", assessment_job_write)
        register_demo_builder("reviews", demo.build, reset=demo.reset, after=("cases",))
        # Long-running processes import WeasyPrint and prepare fonts, style and templates at start.
        register_warm_up(pdf.warm_up)
        # REV-7: a file with a submitted or locked record is final; an amendment marks the record.
        register_freeze_check(case_freeze, many=case_freezes)
        case_file_amended.connect(self_review_flag_case_amended, dispatch_uid="reviews.case_amended")
        _connect_data_version()


def _connect_data_version() -> None:
    """A self-review record or a half-year summary written (services, admin, shell) bumps the
    ``reviews`` data version after commit: the statistics dashboard's cached self-review rate
    (REV-6) and overdue summaries (REV-9) are recomputed on the next request."""
    from django.db.models.signals import post_delete, post_save

    from xian_enforcement.data_versions import bump_on_commit

    from .models import SelfReview, SemiAnnualSummary

    def bump(sender, **kwargs) -> None:
        bump_on_commit("reviews")

    for model in (SelfReview, SemiAnnualSummary):
        post_save.connect(bump, sender=model, weak=False, dispatch_uid=f"reviews-data-version-save-{model.__name__}")
        post_delete.connect(bump, sender=model, weak=False, dispatch_uid=f"reviews-data-version-del-{model.__name__}")
