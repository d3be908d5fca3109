"""Reference data shipped with the platform (administrators may extend it in the admin).

Case categories of the foundation issue; penalty kinds in the order of the statistics form
(STA-5.3: listed from lightest to heaviest, last heaviest)."""

# (code, name, sampling_group) — sampling_group per REV-11: 处罚, 许可, 强制, 征收或征用.
CASE_CATEGORIES = [
    ("punishment", "行政处罚", "行政处罚"),
    ("licensing", "行政许可", "行政许可"),
    ("coercion", "行政强制", "行政强制"),
    ("inspection", "行政检查", ""),
    ("levy", "行政征收", "行政征收或征用"),
    ("requisition", "行政征用", "行政征收或征用"),
    ("confirmation", "行政确认", ""),
    ("payment", "行政给付", ""),
    ("adjudication", "行政裁决", ""),
    ("other", "其他", ""),
]

PENALTY_KINDS = [
    ("warning", "警告"),
    ("criticism", "通报批评"),
    ("fine", "罚款"),
    ("confiscation", "没收违法所得/没收非法财物"),
    ("licence_suspension", "暂扣许可证件"),
    ("qualification_downgrade", "降低资质等级"),
    ("business_restriction", "限制开展生产经营活动"),
    ("production_halt", "责令停产停业"),
    ("closure", "责令关闭/限制从业"),
    ("licence_revocation", "吊销许可证件"),
    ("detention", "行政拘留"),
    ("other", "其他行政处罚"),
]
