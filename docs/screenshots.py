"""Regenerate the screenshots used in docs/: run against a server with the demo county loaded.

    .venv/bin/python docs/screenshots.py http://127.0.0.1:8000 [password]

Drives Debian's chromium through Playwright; writes docs/img/*.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent / "img"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# (file, username or None for anonymous, path, viewport width)
SHOTS = [
    ("home-handler.png", "demo_handler", "/", 1400),
    ("case-list.png", "demo_legal", "/cases/", 1400),
    ("case-list-filtered.png", "demo_bureau", "/cases/?category=1&year=2025&sort=-amount", 1400),
    ("case-detail.png", "demo_legal", None, 1400),
    ("case-form.png", "demo_legal", "/cases/new/", 1400),
    ("ledger-import.png", "demo_legal", "/cases/ledger/import/", 1400),
    ("power-list.png", "demo_bureau", "/cases/powers/", 1400),
    ("inbox.png", "demo_handler", "/inbox/", 1400),
    ("officers.png", "demo_bureau", "/org/officers/", 1400),
    ("audit.png", "demo_auditadmin", "/audit/?tab=events", 1400),
    ("otp-setup.png", "demo_secadmin", "/accounts/2fa/setup/", 1000),
    ("manage-accounts.png", "demo_sysadmin", "/manage/accounts/", 1400),
    ("manage-grant.png", "demo_secadmin", "/manage/grants/?q=demo_legal", 1400),
    ("admin-reference-data.png", "demo_sysadmin", "/admin/", 1400),
    ("public-certificates-phone.png", None, "/public/certificates/", 390),
]


SECRETS: dict[str, str] = {}  # username → base32 secret enrolled during this run


def second_factor(page, user: str, *, enrol: bool) -> None:
    """Administrators sign in with TOTP: enrol from the secret shown on the set-up page (first
    time) or answer the verify page with the code for the secret enrolled earlier in this run."""
    import base64
    import hashlib
    import hmac
    import struct
    import time

    def totp(key: bytes) -> int:  # RFC 6238, 30 s steps, 6 digits, SHA-1 (as django-otp)
        mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
        offset = mac[-1] & 0x0F
        return (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000

    if enrol:
        secret = page.inner_text("#otp-secret").replace(" ", "")
        SECRETS[user] = secret
    elif user in SECRETS:
        secret = SECRETS[user]
    else:
        raise SystemExit(
            f"{user} enrolled TOTP in an earlier run: `manage.py otp_reset {user} --reason screenshots`, then rerun"
        )
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    for _attempt in range(2):  # a code is accepted once: a second sign-in in the same 30 s waits
        page.fill("input[name=code]", f"{totp(key):06d}")
        page.click("form button[type=submit]")
        page.wait_for_load_state()
        if "/accounts/2fa/" not in page.url:
            return
        time.sleep(31 - time.time() % 30)


def main(base: str, password: str) -> None:
    OUT.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        try:
            for name, user, path, width in SHOTS:
                context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
                page = context.new_page()
                if user:
                    page.goto(f"{base}/accounts/login/")
                    page.fill("input[name=username]", user)
                    page.fill("input[name=password]", password)
                    page.click("button[type=submit]")
                    page.wait_for_load_state()
                    if "/accounts/2fa/setup/" in page.url and path != "/accounts/2fa/setup/":
                        second_factor(page, user, enrol=True)
                    elif "/accounts/2fa/verify/" in page.url:
                        second_factor(page, user, enrol=False)
                if path is None:  # the first case of the list
                    page.goto(f"{base}/cases/")
                    page.click("#case-table tbody tr:first-child a")
                else:
                    page.goto(f"{base}{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / name), full_page=True)
                print("wrote", OUT / name)
                context.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main(
        sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000",
        sys.argv[2] if len(sys.argv) > 2 else "Demo-2026-xian!",
    )
