"""Password complexity (security.md "Authentication", row "Unique accounts; password complexity").

At least ``min_length`` characters, at least three of four character classes (lower case, upper
case, digits, symbols) and not equal to / containing the username. Django's similarity, common and
numeric validators stay in AUTH_PASSWORD_VALIDATORS as well.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    """How many of the four classes (lower, upper, digit, symbol) the password uses."""
    lower = any(c.isascii() and c.islower() for c in password)
    upper = any(c.isascii() and c.isupper() for c in password)
    digit = any(c.isdigit() for c in password)
    symbol = any(not (c.isascii() and c.isalnum()) and not c.isdigit() for c in password)
    return lower + upper + digit + symbol


class ComplexityValidator:
    def __init__(self, min_length: int = 10, min_classes: int = 3):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(_("密码至少需要 %(n)d 个字符。") % {"n": self.min_length}, code="password_too_short")
            )
        if character_classes(password) < self.min_classes:
            errors.append(
                ValidationError(
                    _("密码须至少包含小写字母、大写字母、数字、符号四类中的 %(n)d 类。") % {"n": self.min_classes},
                    code="password_too_simple",
                )
            )
        username = (user.get_username() if user is not None else "") or ""
        if username and username.lower() in password.lower():
            errors.append(ValidationError(_("密码不能包含或等于用户名。"), code="password_contains_username"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _("密码至少 %(n)d 个字符，至少包含小写字母、大写字母、数字、符号中的 %(k)d 类，且不能包含用户名。") % {
            "n": self.min_length,
            "k": self.min_classes,
        }


class PasswordHistoryValidator:
    """A new password may equal neither the current one nor one of the last
    ``PASSWORD_HISTORY_COUNT``. The current one includes a temporary password set by the
    system administrator: the forced change must choose a new one. Each stored hash is checked with
    the hasher it was made with (a few PBKDF2 rounds: only when a password is changed)."""

    def validate(self, password: str, user=None) -> None:
        if user is None or getattr(user, "pk", None) is None:
            return
        from django.contrib.auth.hashers import check_password

        from .services import password_recent_hashes

        for encoded in password_recent_hashes(user):
            if check_password(password, encoded):
                raise ValidationError(self._message(), code="password_reused")

    def _message(self) -> str:
        from django.conf import settings

        return _("新密码不能与当前密码或最近 %(n)d 次使用过的密码相同（含系统管理员设置的临时密码）。") % {
            "n": settings.PASSWORD_HISTORY_COUNT
        }

    def get_help_text(self) -> str:
        return self._message()
