"""Choices for organisation and people."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    TOWNSHIP = "township", _("乡镇")
    COUNTY_DEPARTMENT = "county_department", _("县直部门")
    BUREAU = "bureau", _("司法局")
    GOVERNMENT = "government", _("县人民政府")


class UnitKind(models.TextChoices):
    LEGAL_OFFICE = "legal_office", _("法制工作机构")
    ENFORCEMENT = "enforcement", _("执法机构")


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    SUSPENDED = "suspended", _("暂停")
    EXPIRED = "expired", _("过期")
    REVOKED = "revoked", _("吊销")


class Role(models.TextChoices):
    """The roles of architecture.md; each is a Django group with this name as its key."""

    HANDLER = "handler", _("执法人员")
    LEGAL_OFFICER = "legal_officer", _("法制机构人员")
    LEGAL_HEAD = "legal_head", _("法制机构负责人")
    UNIT_HEAD = "unit_head", _("执法机构负责人")
    PARTY_MEMBER = "party_member", _("党组成员")
    BUREAU_STAFF = "bureau_staff", _("司法局工作人员")
    REVIEW_GROUP = "review_group", _("评查组成员")
    LEADER = "leader", _("县领导")
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITADMIN = "auditadmin", _("审计管理员")
