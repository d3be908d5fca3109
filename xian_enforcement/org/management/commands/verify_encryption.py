"""``manage.py verify_encryption``: every encrypted personal identifier decrypts with this
installation's FIELD_ENCRYPTION_KEY (docs/operations.md §7 and §10).

Reads the stored tokens directly (not through the model field, which would stop at the first
failure), tries each with the key, and reports per column: values, decrypted, failed, stored
unencrypted. Exits 1 when any value fails or is stored in plain text; the restore drill runs it on
the restored database, so a backup restored with the wrong key is caught before it is needed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from xian_enforcement.org.crypto import PREFIX, DecryptionError, decrypt, encrypted_fields


class Command(BaseCommand):
    help = "检查所有加密存储的个人信息（身份证号、举报人信息）能否用 FIELD_ENCRYPTION_KEY 解密。"

    def handle(self, *args, **options):
        problems: list[str] = []
        total = 0
        qn = connection.ops.quote_name
        for model, field in encrypted_fields():
            table, column, pk = model._meta.db_table, field.column, model._meta.pk.column
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)} WHERE {qn(column)} IS NOT NULL AND {qn(column)} <> ''"
                )
                rows = cursor.fetchall()
            failed = [row_pk for row_pk, value in rows if value.startswith(PREFIX) and not _decrypts(value)]
            plain = [row_pk for row_pk, value in rows if not value.startswith(PREFIX)]
            total += len(rows)
            label = f"{model._meta.label}.{field.name}"
            self.stdout.write(
                f"{label}: {len(rows)} values, {len(rows) - len(failed) - len(plain)} decrypted, "
                f"{len(failed)} failed, {len(plain)} unencrypted"
            )
            if failed:
                problems.append(f"{label}: {len(failed)} values do not decrypt (first ids: {failed[:5]})")
            if plain:
                problems.append(f"{label}: {len(plain)} values stored unencrypted (first ids: {plain[:5]})")
        if problems:
            raise CommandError("; ".join(problems) + " — wrong FIELD_ENCRYPTION_KEY?")
        self.stdout.write(self.style.SUCCESS(f"OK: all {total} encrypted values decrypt"))


def _decrypts(value: str) -> bool:
    try:
        decrypt(value)
    except DecryptionError:
        return False
    return True
