"""Issue 13: FIELD_ENCRYPTION_KEY is required when DJANGO_DEBUG=false; a wrong key raises an error
instead of reading an empty string; the restore drill checks that encrypted fields decrypt
(security.md "Data integrity"; xian_enforcement/org/crypto.py)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import OfficerFactory
from xian_enforcement.org.crypto import DecryptionError
from xian_enforcement.org.models import Officer

ROOT = Path(__file__).resolve().parent.parent


def _settings_import(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIELD_ENCRYPTION"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "xian_enforcement.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "example.org"}


def test_production_refuses_to_start_without_field_encryption_key():
    missing = _settings_import(**PRODUCTION)
    assert missing.returncode != 0
    assert "FIELD_ENCRYPTION_KEY must be set when DJANGO_DEBUG is false" in missing.stderr
    malformed = _settings_import(**PRODUCTION, FIELD_ENCRYPTION_KEY="not-a-fernet-key")
    assert malformed.returncode != 0
    assert "FIELD_ENCRYPTION_KEY is not a valid Fernet key" in malformed.stderr
    ok = _settings_import(**PRODUCTION, FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode())
    assert ok.returncode == 0, ok.stderr
    assert "started" in ok.stdout
    # The quick start (debug) still derives a key.
    assert _settings_import(DJANGO_DEBUG="true").returncode == 0


@pytest.mark.django_db
def test_wrong_key_raises_instead_of_reading_empty(settings):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    officer = OfficerFactory(id_number="141031198001010011")
    assert Officer.objects.get(pk=officer.pk).id_number == "141031198001010011"
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()  # another key
    with pytest.raises(DecryptionError, match="FIELD_ENCRYPTION_KEY"):
        Officer.objects.get(pk=officer.pk)


@pytest.mark.django_db
def test_verify_encryption_counts_values_and_fails_with_wrong_key(settings, capsys):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    OfficerFactory(id_number="141031198001010022")
    OfficerFactory(id_number="141031198001010033")
    call_command("verify_encryption")
    out = capsys.readouterr().out
    assert "org.Officer.id_number: 2 values, 2 decrypted, 0 failed, 0 unencrypted" in out
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(CommandError, match="2 values do not decrypt"):
        call_command("verify_encryption")


@pytest.mark.django_db
def test_verify_encryption_finds_plain_text_identifiers():
    officer = OfficerFactory(id_number="141031198001010044")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE org_officer SET id_number = %s WHERE id = %s", ["141031198001010044", officer.pk])
    with pytest.raises(CommandError, match="1 values stored unencrypted"):
        call_command("verify_encryption")


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_restore_drill_fails_when_encrypted_fields_do_not_decrypt(settings, dept):
    """The drill restores with this installation's key: restored with another key, it fails."""
    from cases.models import CaseAttachment
    from tests.factories import CaseFileFactory

    assert connection.vendor == "postgresql", "run in the PostgreSQL pass"
    OfficerFactory(department=dept, id_number="141031198001010055")
    case = CaseFileFactory(department=dept)
    content = b"%PDF-1.4 encryption drill"
    attachment = CaseAttachment(
        case_file=case,
        original_name="drill.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    attachment.file.save("drill.pdf", ContentFile(content), save=True)
    s = connection.settings_dict
    source = f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    connection.close()

    def drill(**env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "restore_drill.py"),
                "--source",
                source,
                "--media",
                str(settings.MEDIA_ROOT),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, **env},
        )

    ok = drill()
    assert ok.returncode == 0, ok.stderr + ok.stdout
    assert "verify_encryption: OK" in ok.stdout
    wrong = drill(FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode())
    assert wrong.returncode == 1
    assert "verify_encryption failed" in wrong.stderr
    assert "do not decrypt" in wrong.stderr
