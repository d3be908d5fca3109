"""Issue 13: the dependency audit says NOT AUDITED when it cannot reach its vulnerability
database (never "No known vulnerabilities"), and the requirements are fully pinned with hashes
in requirements.lock, generated from requirements.txt by scripts/lock_requirements.py."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _audit(**env: str) -> subprocess.CompletedProcess:
    # A proxy that refuses every connection: the vulnerability service is unreachable on any machine.
    unreachable = {"HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "NO_PROXY": ""}
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "dependency_audit.sh")],
        env={**os.environ, **unreachable, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_unreachable_vulnerability_service_is_not_audited_never_clean():
    result = _audit(DEPENDENCY_AUDIT_STRICT="0")
    output = result.stdout + result.stderr
    assert "NOT AUDITED" in output
    assert "No known vulnerabilities" not in output
    assert "no known vulnerabilities" not in output
    assert result.returncode == 0  # offline CI stays green, loudly
    strict = _audit(DEPENDENCY_AUDIT_STRICT="1")
    assert strict.returncode == 1
    assert "NOT AUDITED" in strict.stdout


def test_lock_pins_every_requirement_with_a_hash():
    lock = (ROOT / "requirements.lock").read_text()
    entries = dict(re.findall(r"^([a-z0-9_.-]+)==(\S+) \\\n    --hash=sha256:[0-9a-f]{64}$", lock, re.M))
    assert len(entries) == lock.count("--hash=sha256:") >= 40
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        name, version = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)$", line).groups()
        assert entries.get(name.lower()) == version, f"{name}=={version} not pinned in requirements.lock"
    assert "psycopg-binary" in entries  # an extra's package is in the lock too
