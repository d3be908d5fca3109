"""The circumstance catalogue of 隰县行政执法尽职免责和容错纠错制度（试行）, Art. 10–14
(隰政办发〔2022〕63号), with the codes of rules.md (TOL-10 … TOL-14).

The texts are the regulation's own words, copied verbatim (a line break the source file carries
inside a sentence is removed); they are the authority an application cites, so they are data and
are not translated. Applications and decisions (arriving with the tolerance module) refer to the
items by ``code``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DUTY_PERFORMED = "duty_performed", _("履职尽责情形")
    TOLERANCE = "tolerance", _("容错情形")
    CONDITION = "condition", _("免责条件")
    MITIGATION = "mitigation", _("从轻或者减轻情形")
    VETO = "veto", _("不予容错")
    PROCEDURE = "procedure", _("认定程序")


@dataclass(frozen=True)
class Item:
    """One catalogue entry: ``code`` (rules.md), ``article`` (e.g. "第十条（一）"), the verbatim
    ``text`` and its ``kind``."""

    code: str
    article: str
    text: str
    kind: str


@dataclass(frozen=True)
class Section:
    """A lead sentence of an article (verbatim, may be empty) and the items it introduces."""

    lead: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Article:
    """An article of the regulation: its number, a heading, its sections and an explanatory note
    on what the platform does with it."""

    number: int
    heading: str
    sections: tuple[Section, ...]
    note: str = ""

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)


def _items(number_cn: str, code_prefix: str, kind: str, texts: list[str], *, suffix: str = "") -> tuple[Item, ...]:
    numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"]
    return tuple(
        Item(
            code=f"{code_prefix}{suffix}{i}",
            article=f"第{number_cn}条{'免责条件' if suffix else ''}（{numerals[i - 1]}）",
            text=text,
            kind=kind,
        )
        for i, text in enumerate(texts, start=1)
    )


ART_10 = Article(
    number=10,
    heading=_("第十条 履职尽责"),
    sections=(
        Section(
            "行政执法人员履行职责过程中，符合下列情形的，应当认定为履职尽责：",
            _items(
                "十",
                "TOL-10.",
                Kind.DUTY_PERFORMED,
                [
                    "已经按照法定职责、法定程序、岗位职责，履行行政执法职责的；",
                    "因行政相对人隐瞒、伪造、毁灭证据或者提供虚假材料，致使作出错误执法决定，或者逃避案件调查致使行政执法行为不能及时作出的；",
                    "对拒不执行行政处罚、行政命令等决定，已依法提请有批准权的人民政府责令停业、关闭或者已经依法申请人民法院强制执行，被执行人仍违法生产经营的；",
                    "因当事人擅自隐匿、转移、变卖、损毁被查封、扣押的物品导致危害后果发生的；",
                    "因不能预见、不能避免或不能克服等不可抗力因素，导致执法部门及其执法人员未能依法履行职责的；",
                    "因其他有关部门错误或者不当行政行为，导致作出错误判定或者处理的；",
                    "因标准缺失或者现有科学技术水平的限制不能发现问题，导致违法违规问题无法定性的；",
                    "违法行为被依法查处和责令改正，在整改期间不执行整改要求导致发生事故的；",
                    "违法行为已被依法调查和责令改正，在按法律程序办理或者移送过程中发生事故的；",
                    "按照事发当时法律法规和有关规定不应当追究责任，特别在“三定”职责中不属于自己职责的；",
                    "其他履职尽责依法不应当追究责任的情形。",
                ],
            ),
        ),
    ),
)

ART_11_CIRCUMSTANCES = _items(
    "十一",
    "TOL-11.",
    Kind.TOLERANCE,
    [
        "贯彻执行上级指示决策部署中，为推动发展、攻坚克难，主动解决问题而大胆探索、先行先试出现失误或错误的；",
        "全面深化改革、推进体制机制创新中，先行先试、突破常规，出现探索性失误或者未达到预期效果的；",
        "扎实推动高质量发展、打好污染防治攻坚战等重点工作中，敢于决策、大胆履职、攻坚克难，出现失误或偏差的；",
        "创造性开展工作中，因国家政策调整、法律法规调整、上级决策部署发生变化，或政策界限不明确，受客观条件限制，出现失误或者偏差的；",
        "执法过程中，为防止执法风险，临机决断、因不可抗力或不可预见原因，出现失误或者偏差的；",
        "开展执法检查中，因执法对象故意隐瞒或未如实反映情况，致使没有及时发现潜在问题的；",
        "依法开展行政执法中，因行政管理相对人主观故意违法，执法人员已经采取法定措施，仍然造成事故发生的；",
        "在解决执法矛盾过程中因勇于破除障碍、触及固有利益，造成失误或偏差的；",
        "其他可以容错免责的情形。",
    ],
)

ART_11_CONDITIONS_LEAD = "具有上述情形之一同时符合下列条件的，可以免除相关执法机构及执法人员的责任："

ART_11_CONDITIONS = _items(
    "十一",
    "TOL-11.",
    Kind.CONDITION,
    [
        "法律没有明令禁止的；",
        "没有造成重大损失和严重不良影响的；",
        "积极主动消除不良影响、挽回损失的。",
    ],
    suffix="C",
)

ART_11 = Article(
    number=11,
    heading=_("第十一条 容错情形与免责条件"),
    sections=(
        Section(
            "容错纠错要坚持“三个区分开来”，客观公正地评价。执法人员在履行职责过程中，符合下列情形之一的，"
            "应当从轻、减轻处理或者予以免责：",
            ART_11_CIRCUMSTANCES,
        ),
        Section(ART_11_CONDITIONS_LEAD, ART_11_CONDITIONS),
    ),
    note=_("予以免责须同时符合三项免责条件（TOL-11.C1～C3）；只具有容错情形而不全部符合条件的，只能从轻、减轻处理。"),
)

ART_12 = Article(
    number=12,
    heading=_("第十二条 从轻或者减轻责任"),
    sections=(
        Section(
            "执法人员在履行职责过程中，符合下列情形之一的，可以从轻或者减轻责任：",
            _items(
                "十二",
                "TOL-12.",
                Kind.MITIGATION,
                [
                    "主动采取措施有效避免损失或者挽回影响的；",
                    "积极配合问责调查，并主动承担责任的；",
                    "其他依法可以从轻、减轻追究责任的。",
                ],
            ),
        ),
    ),
)

ART_13 = Article(
    number=13,
    heading=_("第十三条 不予容错"),
    sections=(
        Section(
            "",
            (
                Item(
                    code="TOL-13",
                    article="第十三条",
                    text="执法人员履行职责过程中违反法定的职责范围和法定程序的，不予容错。",
                    kind=Kind.VETO,
                ),
            ),
        ),
    ),
    note=_("一票否决：认定违反法定职责范围或法定程序的，无论同时引用了哪些情形，结论只能是不予容错。"),
)

ART_14 = Article(
    number=14,
    heading=_("第十四条 认定程序"),
    sections=(
        Section(
            "",
            (
                Item(
                    code="TOL-14a",
                    article="第十四条",
                    text=(
                        "在启动和进行容错免责认定工作由所在单位党组统一领导，党组具体结合主观、客观条件、程序方法、"
                        "性质程度、后果影响以及挽回损失等情况进行综合分析研判，准确把握政策界限，及时作出认定结论。"
                        "对该容的大胆容错，对该容的坚决不容。"
                    ),
                    kind=Kind.PROCEDURE,
                ),
                Item(
                    code="TOL-14b",
                    article="第十四条",
                    text="个人也可以直接向单位提出容错认定申请。单位调查核实后，应当及时作出容错与否的认定结论。",
                    kind=Kind.PROCEDURE,
                ),
                Item(
                    code="TOL-14c",
                    article="第十四条",
                    text="容错决定作出后，应当于 7 日内告知相关单位及当事人，",
                    kind=Kind.PROCEDURE,
                ),
                Item(
                    code="TOL-14d",
                    article="第十四条",
                    text="一般应在一定范围内公开。",
                    kind=Kind.PROCEDURE,
                ),
            ),
        ),
    ),
    note=_("容错决定作出后 7 日内告知相关单位及当事人：平台将按决定日期起算期限，第 5 日提醒，逾期标红。"),
)

ARTICLES: tuple[Article, ...] = (ART_10, ART_11, ART_12, ART_13, ART_14)

CATALOGUE: tuple[Item, ...] = tuple(item for article in ARTICLES for item in article.items)

BY_CODE: dict[str, Item] = {item.code: item for item in CATALOGUE}


def items_of_kind(kind: str) -> tuple[Item, ...]:
    return tuple(item for item in CATALOGUE if item.kind == kind)


def search(query: str) -> tuple[Article, ...]:
    """The articles with only the items whose code or text contains ``query`` (case-insensitive
    for codes); articles with no match are left out. An empty query returns everything."""
    query = (query or "").strip()
    if not query:
        return ARTICLES
    needle = query.casefold()
    result = []
    for article in ARTICLES:
        sections = []
        for section in article.sections:
            items = tuple(i for i in section.items if needle in i.code.casefold() or query in i.text)
            if items:
                sections.append(Section(section.lead, items))
        if sections:
            result.append(Article(article.number, article.heading, tuple(sections), article.note))
    return tuple(result)


# The regulation as a document cites it (隰政办发〔2022〕63号); data, not translated.
REGULATION_TITLE = "《隰县行政执法尽职免责和容错纠错制度（试行）》"
_ITEM_ARTICLE = re.compile(r"^(第.+?条)(.*?)（(.+)）$")


def article_reference(article: str, *, with_title: bool = True) -> str:
    """How a document cites an item: "第十一条（四）" → "《…制度（试行）》第十一条第（四）项"; an
    article without items ("第十三条") stays as it is. Documents print this, never the
    platform's codes (TOL-11.4)."""
    match = _ITEM_ARTICLE.match(article)
    text = f"{match.group(1)}{match.group(2)}第（{match.group(3)}）项" if match else article
    return f"{REGULATION_TITLE}{text}" if with_title else text
