"""Password age per user (security.md "Authentication", row "Periodic change")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PasswordState(models.Model):
    """When the user's password was last set, and whether it is a temporary one to change."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_state", verbose_name=_("用户")
    )
    changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)
    must_change = models.BooleanField(
        _("须修改密码"), default=False, help_text=_("系统管理员设置的临时密码，首次登录时必须修改。")
    )

    class Meta:
        verbose_name = _("密码状态")
        verbose_name_plural = _("密码状态")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.changed_at:%Y-%m-%d}"


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords (newest last): a new password may equal neither the
    current one nor one of the ``PASSWORD_HISTORY_COUNT`` before it (等保 8.1.4.1)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history", verbose_name=_("用户")
    )
    password = models.CharField(_("密码摘要"), max_length=128)
    created_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["user", "-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="accounts_pwhist_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"
