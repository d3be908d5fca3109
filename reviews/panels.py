"""The review room's panel on a case file's page (REV-7: the self-review record and the notice
are kept with the case file), registered through ``cases.panels`` in ``ReviewsConfig.ready``."""

from __future__ import annotations

from . import selectors


def case_reviews_panel(user, case) -> dict:
    data = selectors.reviews_of_case(user, case)
    data["case"] = case
    data["template"] = "reviews/_case_reviews.html"
    return data
