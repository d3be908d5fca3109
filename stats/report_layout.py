"""The statistics forms (rules.md "Statistics forms", STA-5.3): tables, their figures, which
figures the records give (``source``) and which the clerk fills in, and which are totals of
which parts (STA-5.4). Penalty kinds come from reference data (``cases.PenaltyKind``), so an
administrator who adds a kind adds a column."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from cases.models import PenaltyKind

COUNT, YUAN, HOURS, TEXT = "count", "yuan", "hours", "text"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: str = COUNT
    source: bool = True  # prefilled from the platform's records
    parts: tuple[str, ...] = ()  # a total: must equal the sum of these figures

    @property
    def is_total(self) -> bool:
        return bool(self.parts)


@dataclass(frozen=True)
class Table:
    code: str
    title: str
    # The case category (``CaseCategory.code``) whose power decides "0" versus "无相关职责"
    # (STA-5.4); None: the table applies to every unit.
    duty_category: str | None
    figures: list[Figure] = field(default_factory=list)


def penalty_key(code: str) -> str:
    return f"penalty_{code}"


def tables() -> list[Table]:
    """The tables of the report, in the order of the forms. One query (penalty kinds)."""
    kinds = list(PenaltyKind.objects.filter(is_active=True).order_by("severity", "id").values_list("code", "name"))
    penalty_parts = tuple(penalty_key(code) for code, _name in kinds)
    return [
        Table(
            "personnel",
            _("执法人员与持证"),
            None,
            [Figure("officers", _("执法人员数")), Figure("holders", _("持证人数（期末有效执法证）"))],
        ),
        Table(
            "training",
            _("培训"),
            None,
            [
                Figure("trainees", _("参训人次")),
                Figure("training_hours", _("培训学时"), HOURS),
                Figure("sessions_held", _("举办培训班次数")),
                Figure("session_attendees", _("参加人数")),
                Figure("training_content", _("培训内容"), TEXT),
            ],
        ),
        Table(
            "punishment",
            _("行政处罚"),
            "punishment",
            [
                *(Figure(penalty_key(code), name) for code, name in kinds),
                Figure("penalty_total", _("合计（宗）"), parts=penalty_parts),
                Figure("penalty_amount", _("罚没金额（元，本期决定的行政处罚案卷）"), YUAN),
            ],
        ),
        Table(
            "cases",
            _("案件情况（行政处罚）"),
            "punishment",
            [
                Figure("carried_over", _("上期结转")),
                Figure("filed", _("立案数量（行政处罚）")),
                Figure("closed", _("结案数量（行政处罚）")),
                Figure("no_penalty", _("不予处罚案件数量"), source=False),
                Figure("no_penalty_amount", _("不罚金额（元）"), YUAN, source=False),
                Figure("mitigated", _("减轻处罚案件数量"), source=False),
                Figure("mitigated_amount", _("轻罚金额（元）"), YUAN, source=False),
                Figure("hearings", _("听证数量（本期立案的行政处罚案卷）")),
                Figure("reconsidered", _("被行政复议数量")),
                Figure("reconsidered_corrected", _("被行政复议纠错数量")),
                Figure("litigated", _("被行政诉讼数量")),
                Figure("litigation_lost", _("行政诉讼败诉数量")),
                Figure("transferred_judicial", _("移送司法机关数量")),
            ],
        ),
        Table(
            "licensing",
            _("行政许可"),
            "licensing",
            [
                Figure("licence_applied", _("申请数量"), source=False),
                Figure("licence_accepted", _("受理数量"), source=False),
                Figure("licence_granted", _("许可数量")),
                Figure("licence_refused", _("不予许可数量"), source=False),
                Figure("licence_revoked", _("撤销许可数量"), source=False),
            ],
        ),
        Table(
            "coercion",
            _("行政强制"),
            "coercion",
            [
                Figure("measure_seal", _("措施：查封场所设施或者财物"), source=False),
                Figure("measure_seize", _("措施：扣押财物"), source=False),
                Figure("measure_freeze", _("措施：冻结存款汇款"), source=False),
                Figure("measure_other", _("措施：其他"), source=False),
                Figure(
                    "measure_total",
                    _("行政强制措施合计"),
                    source=False,
                    parts=("measure_seal", "measure_seize", "measure_freeze", "measure_other"),
                ),
                Figure("exec_surcharge", _("执行：加处罚款或者滞纳金"), source=False),
                Figure("exec_transfer", _("执行：划拨存款汇款"), source=False),
                Figure("exec_auction", _("执行：拍卖或依法处理查封扣押财物"), source=False),
                Figure("exec_restore", _("执行：排除妨碍恢复原状"), source=False),
                Figure("exec_substitute", _("执行：代履行"), source=False),
                Figure("exec_other", _("执行：其他"), source=False),
                Figure(
                    "exec_total",
                    _("行政强制执行合计"),
                    source=False,
                    parts=(
                        "exec_surcharge",
                        "exec_transfer",
                        "exec_auction",
                        "exec_restore",
                        "exec_substitute",
                        "exec_other",
                    ),
                ),
                Figure("court_enforcement", _("申请法院强制执行"), source=False),
            ],
        ),
        Table("inspection", _("行政检查"), "inspection", [Figure("inspections", _("行政检查数量"))]),
    ]


def figures_by_key(table_list: list[Table]) -> dict[str, tuple[Table, Figure]]:
    return {f.key: (t, f) for t in table_list for f in t.figures}
