#!/usr/bin/env bash
# Known-vulnerability check of the pinned requirements (security.md; issue: pip-audit in CI).
# Fails (exit 1) when pip-audit reports a known vulnerability. When the vulnerability service
# cannot be reached (an offline build machine: every package "could not be audited"), it says so
# loudly and exits 0, unless DEPENDENCY_AUDIT_STRICT=1 — a machine with network access should set it.
set -uo pipefail
cd "$(dirname "$0")/.."

out="$(.venv/bin/pip-audit --progress-spinner off -r requirements.txt -r requirements-dev.txt 2>&1)"
rc=$?
echo "$out" | grep -v "could not be audited" || true
skipped="$(echo "$out" | grep -c "could not be audited" || true)"
if [[ $rc -ne 0 ]] && ! echo "$out" | grep -q "No known vulnerabilities found"; then
    echo "dependency audit: known vulnerabilities (or pip-audit failed) — see above" >&2
    exit 1
fi
if [[ $skipped -gt 0 ]]; then
    echo "dependency audit: $skipped packages NOT AUDITED — the vulnerability service (PyPI JSON API / OSV) is unreachable from this machine."
    if [[ "${DEPENDENCY_AUDIT_STRICT:-0}" == 1 ]]; then
        exit 1
    fi
fi
exit 0
