"""Issue 13: backups are written with mode 0600 (in a 0700 folder) and can be encrypted
(docs/deploy/backup.sh, docs/operations.md §7). Runs the real script against the test database."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docs" / "deploy" / "backup.sh"
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _run(tmp_path: Path, media: Path, **env: str) -> Path:
    s = connection.settings_dict
    url = f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env_file = tmp_path / "xian.env"
    env_file.write_text(f"DATABASE_URL={url}\nMEDIA_ROOT={media}\n")
    backups = tmp_path / "backups"
    connection.close()
    result = subprocess.run(
        ["bash", str(SCRIPT)],
        env={**os.environ, "ENV_FILE": str(env_file), "BACKUP_DIR": str(backups), "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=300,
        # A permissive umask, as cron might have: the script must not depend on it.
        preexec_fn=lambda: os.umask(0o022),
    )
    assert result.returncode == 0, result.stderr
    (folder,) = [p for p in backups.iterdir() if p.is_dir()]
    return folder


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _media(tmp_path: Path) -> Path:
    media = tmp_path / "media"
    (media / "attachments").mkdir(parents=True)
    (media / "attachments" / "a.pdf").write_bytes(b"%PDF-1.4 backup")
    return media


def test_backup_files_are_0600_in_a_0700_folder(tmp_path):
    folder = _run(tmp_path, _media(tmp_path))
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["SHA256SUMS", "db.dump", "media.sha256", "media.tar.gz"]
    assert _mode(folder) == 0o700
    assert {p.name: _mode(p) for p in folder.iterdir()} == dict.fromkeys(names, 0o600)
    listing = subprocess.run(["pg_restore", "--list", str(folder / "db.dump")], capture_output=True, text=True)
    assert listing.returncode == 0 and "audit_auditevent" in listing.stdout


def test_backup_can_be_encrypted_and_decrypted_with_the_passphrase(tmp_path):
    passphrase = tmp_path / "backup_passphrase"
    passphrase.write_text("correct horse battery staple 2026\n")
    passphrase.chmod(0o600)
    folder = _run(tmp_path, _media(tmp_path), BACKUP_PASSPHRASE_FILE=str(passphrase))
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["SHA256SUMS", "db.dump.gpg", "media.sha256", "media.tar.gz.gpg"]
    assert all(_mode(p) == 0o600 for p in folder.iterdir())
    assert b"audit_auditevent" not in (folder / "db.dump.gpg").read_bytes()
    assert subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True).returncode == 0
    plain = tmp_path / "db.dump"
    decrypt = [
        "gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase-file", str(passphrase),
        "--homedir", str(tmp_path), "-o", str(plain), "-d", str(folder / "db.dump.gpg"),
    ]  # fmt: skip
    assert subprocess.run(decrypt, capture_output=True).returncode == 0
    listing = subprocess.run(["pg_restore", "--list", str(plain)], capture_output=True, text=True)
    assert listing.returncode == 0 and "audit_auditevent" in listing.stdout
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase\n")
    decrypt[decrypt.index(str(passphrase))] = str(wrong)
    decrypt[decrypt.index(str(plain))] = str(tmp_path / "other.dump")
    assert subprocess.run(decrypt, capture_output=True).returncode != 0
