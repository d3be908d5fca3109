#!/usr/bin/env python3
"""Backup-and-restore drill (security.md "Data integrity and loss"; docs/operations.md §7).

    .venv/bin/python scripts/restore_drill.py --source postgres://…/xian --media /srv/xian/media

1. Backs the source up the way docs/deploy/backup.sh does — ``pg_dump -Fc`` plus a tarball of the
   media folder with a SHA-256 manifest — and, in the same snapshot as the dump, counts the rows of
   every table (``pg_export_snapshot``), so the counts are exact even on a live database.
2. Restores into a FRESH database (``<source>_drill_<stamp>``) with ``pg_restore``, and the media
   into a fresh folder; runs ``manage.py migrate`` against it (a restore into a newer release
   migrates forward).
3. Compares: the row count of every table; every file against the manifest; every file a row
   points to exists, with its recorded SHA-256 (``manage.py verify_media``); the audit hash chain
   (``manage.py verify_audit``); the signed review records (``manage.py verify_reviews``); every
   encrypted identifier decrypts with FIELD_ENCRYPTION_KEY (``manage.py verify_encryption``).
4. Drops the drill database and folder (unless ``--keep``) and exits 1 on any difference.

``--backup DIR`` restores an existing backup.sh folder instead of taking one (then step 3 compares
with the counts the drill can read from the source at that moment, which on a live system may have
moved on: use it on a quiet system or read the differences with care).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def say(message: str) -> None:
    print(f"[drill] {message}", flush=True)


def with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def table_counts(conn) -> dict[str, int]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
            "WHERE schemaname = 'public' ORDER BY 1"
        )
    ]
    return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def backup(source: str, media: Path, target: Path) -> dict[str, int]:
    """pg_dump -Fc in an exported snapshot, with the row counts of that snapshot."""
    target.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(source, autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = table_counts(conn)
        subprocess.run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                f"--snapshot={snapshot}",
                f"--dbname={source}",
                f"--file={target / 'db.dump'}",
            ],
            check=True,
        )
        conn.rollback()
    (target / "counts.json").write_text(json.dumps(counts, indent=1, sort_keys=True))
    with tarfile.open(target / "media.tar.gz", "w:gz") as tar:
        tar.add(media, arcname="media")
    manifest = subprocess.run(
        "find . -type f -print0 | sort -z | xargs -0 -r sha256sum",
        shell=True,
        cwd=media,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    (target / "media.sha256").write_text(manifest)
    return counts


def manage(args: list[str], *, database_url: str, media_root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    return subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, capture_output=True, text=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", required=True, help="PostgreSQL URL of the database to back up")
    parser.add_argument("--media", required=True, type=Path, help="the source MEDIA_ROOT")
    parser.add_argument("--backup", type=Path, help="restore this existing backup folder instead of taking one")
    parser.add_argument("--keep", action="store_true", help="keep the drill database and folders")
    args = parser.parse_args()

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="xian-drill-"))
    source_name = urlsplit(args.source).path.lstrip("/")
    drill_name = f"{source_name}_drill_{time.strftime('%Y%m%d%H%M%S')}"
    drill_url = with_db(args.source, drill_name)
    admin_url = with_db(args.source, "postgres")
    problems: list[str] = []
    try:
        if args.backup:
            folder = args.backup
            with psycopg.connect(args.source) as conn:
                expected = table_counts(conn)
            say(f"restoring existing backup {folder}")
        else:
            folder = work / "backup"
            expected = backup(args.source, args.media, folder)
            say(f"backed up {source_name}: {sum(expected.values()):,} rows in {len(expected)} tables")
        files = len([line for line in (folder / "media.sha256").read_text().splitlines() if line.strip()])
        if sum(expected.values()) == 0 or files == 0:
            problems.append(f"nothing to prove: {sum(expected.values())} rows, {files} media files in the backup")

        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{drill_name}"')
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={drill_url}", str(folder / "db.dump")],
            check=True,
        )
        media_root = work / "restored"
        media_root.mkdir()
        with tarfile.open(folder / "media.tar.gz") as tar:
            tar.extractall(media_root, filter="data")
        media_root = media_root / "media"
        say(f"restored into {drill_name} and {media_root}")

        migrated = manage(["migrate", "--noinput", "-v", "0"], database_url=drill_url, media_root=media_root)
        if migrated.returncode:
            problems.append("migrate failed: " + migrated.stderr.strip()[-500:])

        with psycopg.connect(drill_url) as conn:
            restored = table_counts(conn)
        for table in sorted(set(expected) | set(restored)):
            if table == "public.django_migrations" and not args.backup:
                continue  # a newer release may add migration rows; compared by migrate above
            if expected.get(table) != restored.get(table):
                problems.append(
                    f"row count differs for {table}: source {expected.get(table)}, restored {restored.get(table)}"
                )
        say(f"compared row counts of {len(expected)} tables")

        for command in (
            ["verify_media", "--manifest", str(folder / "media.sha256")],
            ["verify_audit"],
            ["verify_reviews"],  # the signed records against their keyed digests and the chain's seals
            ["verify_encryption"],  # the encrypted identifiers decrypt with this installation's key
        ):
            result = manage(command, database_url=drill_url, media_root=media_root)
            say(
                f"{command[0]}: {(result.stdout or result.stderr).strip().splitlines()[-1] if (result.stdout or result.stderr).strip() else ''}"
            )
            if result.returncode:
                problems.append(f"{command[0]} failed: {result.stderr.strip()[-800:]}")
    finally:
        if not args.keep:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{drill_name}" WITH (FORCE)')
            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"kept {drill_name} and {work}")

    took = time.monotonic() - started
    if problems:
        for problem in problems:
            print(f"[drill] DIFFERENCE: {problem}", file=sys.stderr)
        say(f"FAILED with {len(problems)} difference(s) in {took:.1f} s")
        return 1
    say(
        f"OK: {sum(expected.values()):,} rows in {len(expected)} tables and {files} media files restored identically in {took:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
