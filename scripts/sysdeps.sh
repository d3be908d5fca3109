#!/usr/bin/env bash
# Install the Debian packages the project needs, when they are missing and we can.
#
#   scripts/sysdeps.sh run    fonts-noto-cjk, libharfbuzz-subset0 (WeasyPrint: CJK glyphs, fast subsetting)
#   scripts/sysdeps.sh test   the same plus chromium (Playwright browser tests drive Debian's chromium)
#                             and poppler-utils (tests read generated PDFs with pdftotext)
#
# As root on Debian: runs `apt-get update` once (only if something is missing), then installs.
# Otherwise prints exactly what to run and carries on: the quick start still works, PDFs render
# slowly or with boxes instead of Chinese, and browser tests cannot start a browser.
set -uo pipefail

mode="${1:-run}"
packages=(fonts-noto-cjk libharfbuzz-subset0)

have_pkg() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
have_chromium() {
    [[ -x /usr/bin/chromium || -x /usr/lib/chromium/chromium ]]
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "sysdeps: not a Debian system; make sure these are installed yourself: ${packages[*]}$([[ $mode == test ]] && echo ' chromium')" >&2
    exit 0
fi

missing=()
for p in "${packages[@]}"; do
    have_pkg "$p" || missing+=("$p")
done
if [[ $mode == test ]] && ! have_chromium; then
    missing+=(chromium)
fi
# Tests read generated PDFs back as text (pdftotext) and render them to PNG (pdftoppm).
if [[ $mode == test ]] && ! have_pkg poppler-utils; then
    missing+=(poppler-utils)
fi

if ((${#missing[@]} == 0)); then
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "sysdeps: missing Debian packages: ${missing[*]}" >&2
    echo "sysdeps: please run:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    echo "sysdeps: continuing without them." >&2
    exit 0
fi

echo "sysdeps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! apt-get update -q </dev/null; then
    echo "sysdeps: WARNING: apt-get update failed; trying the install anyway" >&2
fi
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null; then
    echo "sysdeps: WARNING: could not install ${missing[*]}; continuing without them" >&2
fi
exit 0
