"""The default checklists (REV-13 veto items, REV-14 scored items by stage) seeded by migration
0002 for 行政处罚, 行政许可, 行政强制, 行政检查, 行政征收 and 行政征用. Administrators edit them by
creating a new version; these rows are only the starting point."""

from __future__ import annotations

# REV-13: the six elements of legality plus three items of the published provincial sheets.
VETO_ITEMS = [
    "执法主体不合法（主体合法）",
    "认定事实不清（事实清楚）",
    "主要证据不足（证据确凿）",
    "违反法定程序（程序合法）",
    "适用法律、法规错误（适用法律正确）",
    "具体行政行为明显不当（具体行政行为适当）",
    "执法人员无执法资格（无执法资格）",
    "执法人员少于2人（执法人员少于2人）",
    "应移送而未移送（应移送未移送）",
]

# REV-14: (stage, text, points); stage totals 5 / 35 / 35 / 15 / 10 = 100.
SCORED_ITEMS = [
    ("filing", "立案审批表填写完整，审批手续齐全、立案及时", 5),
    ("investigation", "执法人员不少于两人并出示执法证件，笔录载明", 5),
    ("investigation", "询问笔录、现场检查（勘验）笔录内容完整、签名规范", 10),
    ("investigation", "证据收集合法、充分，与案件事实相关联，证据清单完整", 15),
    ("investigation", "调查终结报告事实清楚、意见明确", 5),
    ("decision", "依法告知当事人陈述、申辩（听证）权利并记录当事人意见", 10),
    ("decision", "重大执法决定经法制审核，集体讨论记录完整", 5),
    ("decision", "决定书载明事实、理由、依据和救济途径，文书规范", 10),
    ("decision", "自由裁量符合裁量基准，处理适当", 10),
    ("service", "依法送达，送达回证规范、及时", 8),
    ("service", "执行到位，罚没款缴纳凭证等执行材料齐全", 7),
    ("archiving", "卷内文书齐全，目录、页码、装订规范", 5),
    ("archiving", "结案报告完整，按期立卷归档", 5),
]

CATEGORY_CODES = ["punishment", "licensing", "coercion", "inspection", "levy", "requisition"]


def seed(ChecklistTemplate, ChecklistItem, CaseCategory) -> int:
    """Create version 1 for each default category that has no checklist yet. Idempotent."""
    created = 0
    for category in CaseCategory.objects.filter(code__in=CATEGORY_CODES):
        if ChecklistTemplate.objects.filter(category=category).exists():
            continue
        template = ChecklistTemplate.objects.create(
            category=category, version=1, name=f"{category.name}案卷评查标准", is_active=True
        )
        items = [
            ChecklistItem(template=template, kind="veto", stage="", order=k, text=text, points=0)
            for k, text in enumerate(VETO_ITEMS, start=1)
        ]
        items += [
            ChecklistItem(template=template, kind="scored", stage=stage, order=k, text=text, points=points)
            for k, (stage, text, points) in enumerate(SCORED_ITEMS, start=1)
        ]
        ChecklistItem.objects.bulk_create(items)
        created += 1
    return created
