"""Choices for case files. Case categories and penalty kinds are reference data (models), since
an administrator can extend them (rules.md "Statistics forms")."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("法人或其他组织")


class CaseStatus(models.TextChoices):
    """Derived from the stage dates by ``cases.services``; stored for filtering and indexing."""

    FILED = "filed", _("已立案")
    INVESTIGATING = "investigating", _("调查中")
    DECIDED = "decided", _("已决定")
    SERVED = "served", _("已送达")
    EXECUTED = "executed", _("已执行")
    CLOSED = "closed", _("已结案")
    ARCHIVED = "archived", _("已归档")


class ReconsiderationState(models.TextChoices):
    NONE = "none", _("无")
    PENDING = "pending", _("复议中")
    UPHELD = "upheld", _("维持")
    CORRECTED = "corrected", _("纠错（撤销、变更、确认违法）")
    OTHER = "other", _("其他（终止等）")


class LitigationState(models.TextChoices):
    NONE = "none", _("无")
    PENDING = "pending", _("诉讼中")
    WON = "won", _("胜诉")
    LOST = "lost", _("败诉")
    OTHER = "other", _("其他（撤诉等）")


# The stages of a case file, in order: (field name, label). Each date is not before the one it
# follows (model clean and service).
STAGES = [
    ("filed_on", _("立案")),
    ("investigated_on", _("调查")),
    ("decided_on", _("决定")),
    ("served_on", _("送达")),
    ("executed_on", _("执行")),
    ("closed_on", _("结案")),
    ("archived_on", _("归档")),
]
