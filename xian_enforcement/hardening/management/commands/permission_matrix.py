"""``python manage.py permission_matrix [--write|--check]``: the committed role × URL × method
access matrix (tests/security/permission_matrix.csv, security.md "Access control").

The matrix is produced by tests/security/test_access.py, which builds a fixture world in a
throwaway test database and requests every URL pattern as every role; this command runs that
test with pytest. ``--check`` (the default) fails with a diff when access changed; ``--write``
rewrites the file (review the diff before committing)."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

TEST = "tests/security/test_access.py"


class Command(BaseCommand):
    help = "生成或核对权限矩阵（角色 × 地址 × 请求方法 → 访问结果），文件为 tests/security/permission_matrix.csv。"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--write", action="store_true", help="重新生成并写入权限矩阵文件")
        group.add_argument("--check", action="store_true", help="核对当前权限与已提交的矩阵是否一致（默认）")

    def handle(self, *args, write: bool, check: bool, **options):
        env = dict(os.environ)
        env["PERMISSION_MATRIX_WRITE"] = "1" if write else "0"
        command = [
            sys.executable,
            "-m",
            "pytest",
            TEST,
            "-q",
            "-p",
            "no:cacheprovider",
        ]
        command += ["-k", "permission_matrix_is_committed"] if write else []
        self.stdout.write(" ".join(command))
        result = subprocess.run(command, cwd=settings.BASE_DIR, env=env, check=False)
        if result.returncode != 0:
            raise CommandError("权限矩阵与当前权限不一致，或访问控制测试失败（见上方输出）。")
        self.stdout.write(self.style.SUCCESS("权限矩阵已写入。" if write else "权限矩阵与当前权限一致。"))
