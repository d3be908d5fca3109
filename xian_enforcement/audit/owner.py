"""The owner's connection (``DATABASE_MIGRATE_URL``) for the commands that need it.

Production runs the application as a role that does not own the tables (docs/operations.md
"Database roles"). ``migrate``, ``purge_audit`` and ``rekey_audit`` run as the owner: they call
``use_owner_connection()`` first, which points the default connection of this process at the
owner's URL, so everything they do, data migrations included, runs in one connection as the
owner."""

from __future__ import annotations

from django.conf import settings
from django.db import connections


def use_owner_connection() -> bool:
    """Switch this process's default connection to the owner's URL, if one is configured."""
    owner = settings.DATABASES.get("migrate")
    if not owner:
        return False
    default = connections["default"]
    default.close()
    for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT", "OPTIONS"):
        if key in owner:
            default.settings_dict[key] = owner[key]
    return True
