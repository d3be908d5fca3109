"""STA-5.4: a report must be consistent before it is submitted (no 瞒报/漏报/多报).

``validate_report`` returns ``{figure key: [messages]}`` (empty when the report may be
submitted); the page shows each message next to its figure."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from .report_layout import TEXT, Table

# (smaller, larger): the first may not exceed the second.
NOT_ABOVE = [
    ("reconsidered_corrected", "reconsidered"),
    ("litigation_lost", "litigated"),
    ("licence_accepted", "licence_applied"),
    ("holders", "officers"),
]


def validate_report(table_list: list[Table], figures: dict, powers: set[str]) -> dict[str, list[str]]:
    """``figures``: key → ReportFigure (or any object with value, recorded, no_duty, reason)."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    def value(key: str) -> Decimal | None:
        f = figures.get(key)
        return None if f is None or f.no_duty else f.value

    labels = {f.key: str(f.label) for t in table_list for f in t.figures}
    for table in table_list:
        has_duty = table.duty_category is None or table.duty_category in powers
        for fig in table.figures:
            if fig.kind == TEXT:
                continue
            row = figures.get(fig.key)
            no_duty = bool(row and row.no_duty)
            if has_duty and no_duty:
                add(fig.key, _("本单位权力清单有此类职权，没有发生也应填“0”，不能填“无相关职责”（STA-5.4）。"))
                continue
            if not has_duty and not no_duty:
                add(fig.key, _("本单位权力清单没有此类职权，应填“无相关职责”而不是数字（STA-5.4）。"))
                continue
            if no_duty:
                continue
            v = row.value if row else None
            if v is None:
                add(fig.key, _("请填写数字；没有发生的填“0”（STA-5.4）。"))
                continue
            if fig.kind != "yuan" and fig.kind != "hours" and v != v.to_integral_value():
                add(fig.key, _("件数、人数须为整数。"))
            if row.recorded is not None and v != row.recorded and not row.reason.strip():
                add(
                    fig.key,
                    _("填报数与系统记录数（%(recorded)s）不一致，须说明原因（STA-3）。") % {"recorded": row.recorded},
                )
        for fig in table.figures:
            if fig.is_total and has_duty and value(fig.key) is not None:
                parts = [value(p) or Decimal(0) for p in fig.parts]
                if value(fig.key) != sum(parts, Decimal(0)):
                    add(
                        fig.key,
                        _("合计 %(total)s 不等于各项之和 %(sum)s（STA-5.4）。")
                        % {"total": value(fig.key), "sum": sum(parts, Decimal(0))},
                    )
    filed, closed, carried = value("filed"), value("closed"), value("carried_over")
    if closed is not None and closed > (filed or 0) + (carried or 0):
        add(
            "closed",
            _("结案数量（%(closed)s）不能大于立案数量与上期结转之和（%(sum)s）（STA-5.4）。")
            % {"closed": closed, "sum": (filed or 0) + (carried or 0)},
        )
    for small, large in NOT_ABOVE:
        a, b = value(small), value(large)
        if a is not None and b is not None and a > b:
            add(
                small,
                _("%(a)s不能大于%(b)s（STA-5.4）。") % {"a": labels.get(small, small), "b": labels.get(large, large)},
            )
    granted, refused, accepted = value("licence_granted"), value("licence_refused"), value("licence_accepted")
    if accepted is not None and (granted or 0) + (refused or 0) > accepted:
        add("licence_accepted", _("许可数量与不予许可数量之和不能大于受理数量（STA-5.4）。"))
    return errors
