"""What each figure counts, in one place (one figure, one definition): the caption
every page that shows a figure puts beside it. Each figure is computed by one selector:

- filed / closed / hearings / 罚没金额, also per category: ``selectors.category_figures`` and
  ``selectors.rollup`` (the maintained summary; the report's 行政处罚 row reads the former);
- on-time transfer (REV-5) and overdue transfers: ``selectors.rollup``;
- self-review rate (REV-6): ``reviews.selectors.coverage_by_department``;
- overdue statistics reports (STA-2): ``report_selectors.overdue_reports`` / ``report_overdue``;
- overdue half-year summaries (REV-9): ``reviews.half_year_summaries.summary_standing``;
- enforcement officers and certificate holders (STA-5.2): ``selectors.certificate_figures``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def definitions() -> dict:
    from reviews.half_year_summaries import OVERDUE_DEFINITION as SUMMARIES
    from reviews.selectors import COVERAGE_DEFINITION

    from .report_selectors import OVERDUE_DEFINITION as REPORTS

    return {
        "filed": _("立案：本期立案的全部案卷（处罚、许可、强制、检查等全部类别）"),
        "closed": _("结案：本期结案的全部案卷（全部类别）"),
        "amount": _("罚没金额：本期作出决定的案卷的罚款与没收金额（全部类别）"),
        "hearings": _("举行听证：本期立案、已举行听证的案卷（全部类别）"),
        "by_category": _(
            "按类别：本期立案、结案、举行听证（按立案）的案卷和本期决定的罚没金额；行政处罚一行即统计报表中的行政处罚数字"
        ),
        "transfer": _(
            "按期移交率：本期结案、应移交自查（已移交或结案已满规定日数）的案卷中，按期移交的比例（复议诉讼案卷不计）"
        ),
        "overdue_transfers": _("逾期未移交：本期结案、已满规定日数仍未移交自查的案卷（复议诉讼案卷不计）"),
        "coverage": COVERAGE_DEFINITION,
        "reports": REPORTS,
        "summaries": SUMMARIES,
        "holders": _("持证人数：执法人员中持有期末（本期未结束时为今天）有效执法证的人数"),
    }
