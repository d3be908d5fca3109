#!/usr/bin/env bash
# Create .venv if missing and install the requirements, but only when they changed.
#
#   scripts/ensure_venv.sh run    requirements.txt
#   scripts/ensure_venv.sh dev    requirements-dev.txt (which includes requirements.txt)
#
# A stamp file in the venv holds the SHA-256 of the requirement files last installed, so pip
# runs again only when their content changes (not when a checkout merely touches them).
set -euo pipefail

mode="${1:-run}"
venv="${VENV:-.venv}"
python="${PYTHON:-python3}"

case "$mode" in
    run) files=(requirements.txt) ;;
    dev) files=(requirements.txt requirements-dev.txt) ;;
    *) echo "usage: $0 run|dev" >&2; exit 2 ;;
esac

if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import sys' >/dev/null 2>&1; then
    echo "==> creating $venv with $("$python" --version 2>&1)"
    if ! "$python" -m venv --clear "$venv"; then
        if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
            echo "==> python3 -m venv failed; installing Debian's python3-venv"
            DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null || true
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv </dev/null
            "$python" -m venv --clear "$venv"
        else
            echo "error: '$python -m venv' failed. On Debian run: sudo apt-get install python3-venv" >&2
            exit 1
        fi
    fi
    rm -f "$venv"/.stamp-*
fi

digest() { cat "$@" | sha256sum | cut -d' ' -f1; }

want="$(digest "${files[@]}")"
stamp="$venv/.stamp-$mode"
# The dev stamp covers run as well: requirements-dev.txt includes requirements.txt.
if [[ $mode == run && -f "$venv/.stamp-dev" && "$(cat "$venv/.stamp-dev")" == "$(digest requirements.txt requirements-dev.txt)" ]]; then
    exit 0
fi
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
fi

req="${files[-1]}"
echo "==> installing $req into $venv"
"$venv/bin/python" -m pip install --disable-pip-version-check -q -r "$req"
echo "$want" >"$stamp"
if [[ $mode == dev ]]; then
    echo "$(digest requirements.txt)" >"$venv/.stamp-run"
fi
