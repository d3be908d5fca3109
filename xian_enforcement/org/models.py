"""Organisation and people: regions, departments, their units, officers and certificates."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from xian_enforcement.audit.bulk import AuditedManager

from .choices import CertificateStatus, DepartmentKind, UnitKind
from .crypto import EncryptedCharField, mask_id_number


class Region(models.Model):
    """An administrative region (county, city or province). Departments belong to a county, so
    one installation can serve several counties: each county's bureau and leaders see their own."""

    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    objects = AuditedManager()

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A township, a county department, the judicial bureau (司法局) or the county government.

    Each department has a legal office (法制工作机构) and one or more enforcement units."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments", verbose_name=_("行政区域"))
    kind = models.CharField(_("类型"), max_length=20, choices=DepartmentKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30)
    code = models.CharField(_("编码"), max_length=30, unique=True)
    enforcement_fields = models.CharField(_("执法领域"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["region", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="department_unique_name_in_region")]

    def __str__(self) -> str:
        return self.short_name or self.name


class OrgUnit(models.Model):
    """A unit inside a department: its legal office or one of its enforcement units."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="units", verbose_name=_("部门"))
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    name = models.CharField(_("名称"), max_length=100)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["department", "kind", "id"]
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="orgunit_unique_name")]

    def __str__(self) -> str:
        return f"{self.department} · {self.name}"


class Officer(models.Model):
    """A person who uses the platform: a user account plus profile.

    Enforcement officers (执法人员) hold certificates; staff such as county leaders or the three
    administrators have a profile too so that their region and department are known.
    Personal data fields: ``phone``, ``id_number`` (encrypted at rest, shown masked).
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="officers", verbose_name=_("行政区域"))
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="officers", verbose_name=_("部门")
    )
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="officers", verbose_name=_("机构")
    )
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("职务"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, help_text=_("个人信息"))
    id_number = EncryptedCharField(_("身份证号"), blank=True, help_text=_("个人信息，加密存储，脱敏显示"))
    is_enforcement_officer = models.BooleanField(_("执法人员"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["department", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number or "")

    def clean(self) -> None:
        if self.department_id and self.department.region_id != self.region_id:
            raise ValidationError({"department": _("部门不属于该人员所在行政区域。")})
        if self.unit_id and self.unit.department_id != self.department_id:
            raise ValidationError({"unit": _("机构不属于该人员所在部门。")})


class Certificate(models.Model):
    """An enforcement certificate (行政执法证).

    Status transitions (each recorded in ``CertificateStatusChange`` with reason and date):
    active → suspended | expired | revoked; suspended → active | revoked; expired → active (renewal).
    """

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("人员"))
    number = models.CharField(_("执法证号"), max_length=40, unique=True)
    issuing_organ = models.CharField(_("发证机关"), max_length=100)
    valid_from = models.DateField(_("有效期自"))
    valid_to = models.DateField(_("有效期至"))
    status = models.CharField(
        _("状态"), max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.ACTIVE
    )
    status_reason = models.CharField(_("状态原因"), max_length=200, blank=True)
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("行政执法证")
        verbose_name_plural = _("行政执法证")
        ordering = ["officer", "-valid_to"]
        indexes = [models.Index(fields=["status", "valid_to"], name="cert_status_valid_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_to__gte=models.F("valid_from")), name="cert_valid_range")
        ]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.status == CertificateStatus.ACTIVE and self.valid_from <= day <= self.valid_to

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("有效期至不能早于有效期自。")})


class CertificateStatusChange(models.Model):
    """History of a certificate's status: what changed, why, when and by whom."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(_("原状态"), max_length=20, choices=CertificateStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=CertificateStatus.choices)
    reason = models.CharField(_("原因"), max_length=200)
    rule_id = models.CharField(_("依据规则"), max_length=20, blank=True)
    changed_on = models.DateField(_("变更日期"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditedManager()

    class Meta:
        verbose_name = _("执法证状态变更")
        verbose_name_plural = _("执法证状态变更")
        ordering = ["certificate", "created_at"]

    def __str__(self) -> str:
        return f"{self.certificate}: {self.from_status} → {self.to_status}"
