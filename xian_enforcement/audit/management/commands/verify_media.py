"""``manage.py verify_media``: every file a database row points to exists under MEDIA_ROOT, and
where the row records a SHA-256 (attachments, evidence) the file still has it. With ``--manifest``
(the ``media.sha256`` of a backup) every listed file must also be present with its checksum.
Exits 1 naming each problem (security.md "Data integrity and loss": attachments' SHA-256 recorded;
the restore drill compares them)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Check that every stored file exists and matches its recorded SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("--manifest", help="a sha256sum listing (paths relative to MEDIA_ROOT)")

    def handle(self, *args, **options):
        root = Path(settings.MEDIA_ROOT)
        problems: list[str] = []
        files = checked = 0
        for model in apps.get_models():
            file_fields = [f for f in model._meta.get_fields() if isinstance(f, models.FileField)]
            if not file_fields:
                continue
            has_digest = any(f.name == "sha256" for f in model._meta.get_fields())
            columns = [f.name for f in file_fields] + (["sha256"] if has_digest else [])
            for row in model._base_manager.values("pk", *columns).iterator():
                for field in file_fields:
                    name = row[field.name]
                    if not name:
                        continue
                    files += 1
                    path = root / name
                    if not path.is_file():
                        problems.append(f"{model._meta.label}#{row['pk']}: missing file {name}")
                        continue
                    if has_digest and field.name == "file" and row["sha256"]:
                        checked += 1
                        if sha256_of(path) != row["sha256"]:
                            problems.append(f"{model._meta.label}#{row['pk']}: SHA-256 differs for {name}")
        listed = 0
        if options["manifest"]:
            for line in Path(options["manifest"]).read_text().splitlines():
                if not line.strip():
                    continue
                digest, name = line.split(maxsplit=1)
                name = name.lstrip("*").removeprefix("./")
                listed += 1
                path = root / name
                if not path.is_file():
                    problems.append(f"manifest: missing file {name}")
                elif sha256_of(path) != digest:
                    problems.append(f"manifest: SHA-256 differs for {name}")
        if problems:
            for problem in problems[:50]:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} media problem(s) in {files} referenced files")
        self.stdout.write(
            f"OK: {files} referenced files present, {checked} recorded SHA-256 match, {listed} manifest entries match"
        )
