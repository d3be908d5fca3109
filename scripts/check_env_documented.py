#!/usr/bin/env python3
"""Fail if an environment variable read by settings.py is missing from README's configuration table.

Every ``envstr/envbool/envint/envlist("NAME", …)`` in ``xian_enforcement/settings.py`` must have a
row starting with ``| `NAME` |`` in README.md (with its default and meaning). Run by ``.ci/run``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    settings = (ROOT / "xian_enforcement" / "settings.py").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names = sorted(set(re.findall(r"\benv(?:str|bool|int|list)\(\s*\"([A-Z][A-Z0-9_]*)\"", settings)))
    missing = [n for n in names if f"| `{n}` |" not in readme]
    if missing:
        print("README.md's configuration table lacks: " + ", ".join(missing), file=sys.stderr)
        print("Add a row `| `NAME` | default | meaning |` for each.", file=sys.stderr)
        return 1
    print(f"README.md documents all {len(names)} environment variables read by settings.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
