"""Choices of the tolerance room (TOL-10 … TOL-19)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    INVESTIGATING = "investigating", _("调查核实中")
    DECIDED = "decided", _("已认定")
    NOTIFIED = "notified", _("已告知")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤回")


class Outcome(models.TextChoices):
    """TOL-10 … TOL-13: 免责 (Art. 10 duty performed, or Art. 11 with all three conditions);
    容错 with lighter/mitigated handling (Art. 11 without all conditions, Art. 12); 不予容错."""

    EXEMPT = "exempt", _("予以免责")
    MITIGATED = "mitigated", _("容错，从轻或减轻处理")
    NOT_TOLERATED = "not_tolerated", _("不予容错")


TOLERATED_OUTCOMES = (Outcome.EXEMPT, Outcome.MITIGATED)


class PublicationScope(models.TextChoices):
    """TOL-14d."""

    NONE = "none", _("不公开")
    UNIT = "unit", _("本单位内公开")
    COUNTY = "county", _("全县各部门公开")
    PUBLIC = "public", _("向社会公开")


class ErrorCategory(models.TextChoices):
    """TOL-18: the kind of error, for risk analysis."""

    PROCEDURE = "procedure", _("执法程序瑕疵")
    FACTS = "facts", _("事实认定偏差")
    EVIDENCE = "evidence", _("证据收集不全")
    LAW = "law", _("法律适用错误")
    DISCRETION = "discretion", _("自由裁量不当")
    DOCUMENT = "document", _("文书制作不规范")
    TIME_LIMIT = "time_limit", _("办理超期")
    OTHER = "other", _("其他")


class EnforcementField(models.TextChoices):
    """TOL-18: the enforcement field (领域)."""

    MARKET = "market", _("市场监管")
    ENVIRONMENT = "environment", _("生态环境")
    RESOURCES = "resources", _("自然资源")
    TRANSPORT = "transport", _("交通运输")
    AGRICULTURE = "agriculture", _("农业农村")
    URBAN = "urban", _("城市管理")
    SAFETY = "safety", _("应急管理")
    HEALTH = "health", _("卫生健康")
    CULTURE = "culture", _("文化旅游")
    OTHER = "other", _("其他")


class NoticeRecipientKind(models.TextChoices):
    PARTY = "party", _("当事人")
    UNIT = "unit", _("相关单位")


class CorrectionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已下达")
    COMPLETED = "completed", _("已完成整改")


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("未开始")
    IN_PROGRESS = "in_progress", _("整改中")
    DONE = "done", _("已完成")


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("不予批准")


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    CONCLUDED = "concluded", _("已查结")
    CLOSED = "closed", _("已办结")


class ComplaintOutcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("属实")
    UNTRUE = "untrue", _("不实")
    UNFOUNDED = "unfounded", _("查无实据")
    TOLERATED = "tolerated", _("已予容错")


CLEARED_OUTCOMES = (ComplaintOutcome.UNTRUE, ComplaintOutcome.UNFOUNDED, ComplaintOutcome.TOLERATED)


class ClarificationForm(models.TextChoices):
    MEETING = "meeting", _("会议澄清")
    DOCUMENT = "document", _("书面澄清")
    NOTICE = "notice", _("通报澄清")
    TALK = "talk", _("谈话澄清")
