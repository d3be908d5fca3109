"""Choices of the review room."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    VETO = "veto", _("一票否决项")
    SCORED = "scored", _("评分项")


class Stage(models.TextChoices):
    """REV-14: the five stages of the general standards."""

    FILING = "filing", _("立案")
    INVESTIGATION = "investigation", _("调查取证")
    DECISION = "decision", _("审查决定")
    SERVICE = "service", _("送达执行")
    ARCHIVING = "archiving", _("归档")


class Grade(models.TextChoices):
    """REV-15."""

    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    UNQUALIFIED = "unqualified", _("不合格")


class ReviewStatus(models.TextChoices):
    """Self-review record status. Allowed transitions (services only):
    draft → submitted (self_review_submit); submitted → draft (self_review_reopen, before any
    signature); submitted → locked (self_review_sign, when both heads have signed). Locked is final."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待签署")
    LOCKED = "locked", _("已签署锁定")


class SignerRole(models.TextChoices):
    """REV-7: the two sign-offs."""

    LEGAL_HEAD = "legal_head", _("法制机构负责人")
    UNIT_HEAD = "unit_head", _("执法机构负责人")


class CampaignKind(models.TextChoices):
    """REV-4/REV-10."""

    REGULAR = "regular", _("年度定期检查")
    AD_HOC = "ad_hoc", _("不定期检查")


class GroupRole(models.TextChoices):
    """REV-16: the review group; REV-10: staff seconded from units."""

    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")
    SECONDED = "seconded", _("抽调人员")


class SelfReviewQuality(models.TextChoices):
    """REV-11: did the unit's self-review find what the inspection found?"""

    FOUND_ALL = "found_all", _("自查发现了全部问题")
    PARTLY = "partly", _("自查发现了部分问题")
    MISSED = "missed", _("自查未发现问题")
    NOT_REVIEWED = "not_reviewed", _("未开展自查")


class Consequence(models.TextChoices):
    """REV-8: consequences of unqualified files in the handler's annual assessment."""

    NONE = "none", _("无")
    CRITICISM = "criticism", _("通报批评")
    NO_AWARD = "no_award", _("不得评为先进个人，年度考核不得评为优秀")
    SUSPENDED = "suspended", _("暂停执法资格，培训并考核合格后恢复")


class RefusalKind(models.TextChoices):
    """REV-17: how a unit failed an inspection."""

    REFUSED = "refused", _("不接受行政执法案卷评查")
    NEGLECTED = "neglected", _("不积极开展评查")
