"""Encryption at rest for personal identifiers (security.md "Data integrity", PIPL).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256). The key comes from
``FIELD_ENCRYPTION_KEY`` (required when ``DJANGO_DEBUG`` is false); when unset it is derived from
``SECRET_KEY`` so the quick start works. A value that does not decrypt raises ``DecryptionError``.
A raw SQL read of the column shows only the ciphertext token.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

PREFIX = "enc:"


@lru_cache(maxsize=4)
def _fernet(key: str, secret: str) -> Fernet:
    if key:
        return Fernet(key.encode())
    derived = hashlib.sha256(("field-encryption:" + secret).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def fernet() -> Fernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


class DecryptionError(RuntimeError):
    """A stored token does not decrypt with FIELD_ENCRYPTION_KEY: a wrong or changed key (or a
    damaged value). Raised instead of reading an empty string, which would look like "no ID number"
    and could be saved back over the real value."""


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        return token
    try:
        return fernet().decrypt(token[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "An encrypted field cannot be decrypted with FIELD_ENCRYPTION_KEY: the key is wrong or was "
            "changed (docs/operations.md §2; manage.py verify_encryption counts the affected rows)."
        ) from None


def encrypted_fields():
    """Every (model, field) stored with EncryptedCharField, for ``manage.py verify_encryption``."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedCharField):
                yield model, field


def mask_id_number(value: str) -> str:
    """Show the first 3 and last 4 characters of an identity number: 142***********1234."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


class EncryptedCharField(models.TextField):
    """A text column holding a Fernet token; Python code sees the plain value.

    Personal data (marked ``personal_data`` in ``help_text``); not searchable by content.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def to_python(self, value):
        if isinstance(value, str):
            return decrypt(value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or value.startswith(PREFIX):
            return value
        return encrypt(value)
