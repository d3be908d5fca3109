"""security.md "Data integrity and loss": the restore drill restores into a fresh database,
migrates, compares row counts and attachment checksums, and exits non-zero on any difference
(scripts/restore_drill.py; CI also runs it against a demo database)."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _source_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _drill(*args: str) -> subprocess.CompletedProcess:
    connection.close()  # pg_dump and CREATE DATABASE need no open transaction of ours
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "restore_drill.py"), "--source", _source_url(), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_restore_drill_passes_then_catches_a_changed_file_and_a_missing_row(settings, dept):
    from cases.models import CaseAttachment
    from tests.factories import CaseFileFactory

    assert connection.vendor == "postgresql", "run in the PostgreSQL pass"
    media = Path(settings.MEDIA_ROOT)
    case = CaseFileFactory(department=dept)
    content = b"%PDF-1.4 restore drill"

    attachment = CaseAttachment(
        case_file=case,
        original_name="drill.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    attachment.file.save("drill.pdf", ContentFile(content), save=True)

    ok = _drill("--media", str(media), "--keep")
    assert ok.returncode == 0, ok.stderr + ok.stdout
    assert "restored identically" in ok.stdout
    kept = re.search(r"kept (\S+) and (\S+)", ok.stdout)
    drill_db, work = kept.group(1), Path(kept.group(2))
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{drill_db}" WITH (FORCE)')

    # A backup whose file no longer matches its checksum: the drill must fail.
    manifest = work / "backup" / "media.sha256"
    lines = manifest.read_text().splitlines()
    manifest.write_text("\n".join(["0" * 64 + line[64:] for line in lines]) + "\n")
    bad = _drill("--media", str(media), "--backup", str(work / "backup"))
    assert bad.returncode == 1
    assert "SHA-256 differs" in bad.stderr

    # Rows the backup does not hold (the source moved on, or the dump lost them): the drill must fail.
    manifest.write_text("\n".join(lines) + "\n")
    CaseFileFactory(department=dept)
    missing = _drill("--media", str(media), "--backup", str(work / "backup"))
    assert missing.returncode == 1
    assert "row count differs for public.cases_casefile" in missing.stderr
