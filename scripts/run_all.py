#!/usr/bin/env python3
"""Quick start: set up the embedded county and run web + Celery worker + beat; Ctrl-C stops all.

Called by ``make run`` with the virtualenv's Python (``.venv/bin/python scripts/run_all.py``).

Set-up, in order (each step must succeed, or we stop and say which one failed):
  1. ``manage.py migrate``
  2. ``manage.py compilemessages`` when a .po file is newer than its .mo and gettext's ``msgfmt``
     exists (otherwise the shipped .mo files are used)
  3. ``manage.py collectstatic`` only when DJANGO_DEBUG is false (in DEBUG WhiteNoise serves
     straight from the finders, so nothing needs collecting)
  4. ``manage.py seed_demo`` (idempotent) — its output, the demo accounts, is shown again once the
     web server answers

Then three children, each in its own session (process group), so that a terminal Ctrl-C reaches
only this supervisor, which then stops every child and everything the child started:
  web     manage.py runserver HOST:PORT --noreload   (RELOAD=1: with Django's autoreloader)
  worker  celery -A xian_enforcement worker -l info --concurrency 2
  beat    celery -A xian_enforcement beat -l info   (DatabaseScheduler, from settings)

Their output is shown with a prefix. If any child exits on its own, the others are stopped and
the supervisor exits non-zero. On SIGINT/SIGTERM/SIGHUP each child group gets SIGINT (what a
terminal Ctrl-C would send), then SIGTERM after 15 s (a Celery warm shutdown takes ~8 s), then
SIGKILL. Children also get SIGTERM from the kernel if the supervisor itself dies (Linux
``PR_SET_PDEATHSIG``); that is why runserver runs without its autoreloader unless asked.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def say(msg: str) -> None:
    print(f"run: {msg}", flush=True)


def fail(msg: str, code: int = 1) -> None:
    print(f"run: ERROR: {msg}", file=sys.stderr, flush=True)
    sys.exit(code)


def env_debug() -> bool:
    return os.environ.get("DJANGO_DEBUG", "true").strip().lower() not in {"0", "false", "no", "off"}


def manage(*args: str, capture: bool = False) -> str:
    """Run one ``manage.py`` step; stop the whole start-up with a clear message if it fails."""
    cmd = [PY, "manage.py", *args]
    say("$ " + " ".join(["manage.py", *args]))
    if capture:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        sys.stdout.write(proc.stdout)
        sys.stdout.flush()
    else:
        proc = subprocess.run(cmd, cwd=ROOT)
    if proc.returncode != 0:
        fail(f"step 'manage.py {args[0]}' failed with exit code {proc.returncode}; nothing was started.")
    return proc.stdout if capture else ""


def stale_po_files() -> list[Path]:
    """The .po files whose .mo is missing or older (compilemessages costs ~2 s even with none)."""
    stale = []
    for base in ("locale", "xian_enforcement", "cases", "reviews", "stats", "tolerance"):
        for po in (ROOT / base).rglob("*.po"):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                stale.append(po)
    return stale


def setup(password: str | None) -> str:
    manage("migrate", "--noinput")
    stale = stale_po_files()
    if stale:
        if shutil.which("msgfmt"):
            manage("compilemessages", "--ignore=.venv", "--ignore=var", "--ignore=node_modules")
        elif any(not po.with_suffix(".mo").exists() for po in stale):
            say("gettext's msgfmt is missing, so some translations are not compiled (apt-get install gettext)")
    if not env_debug():
        manage("collectstatic", "--noinput", "-v", "0")
    seed = ["seed_demo"]
    if not env_debug() and not os.environ.get("DATABASE_URL"):
        # The embedded SQLite county under var/ is never production; with a DATABASE_URL and
        # DJANGO_DEBUG=false, seed_demo refuses (issue 13) and make run stops here.
        seed.append("--i-know-this-is-not-production")
    if password:
        seed += ["--password", password]
    return manage(*seed, capture=True)


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _child_setup() -> None:
    """In the child, before exec: die with the supervisor (Linux), default signal handling."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Child:
    def __init__(self, name: str, cmd: list[str]):
        self.name = name
        self.cmd = cmd
        self.proc: subprocess.Popen[bytes] | None = None
        self.buf = b""

    def start(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own session and process group: Ctrl-C reaches only us
            preexec_fn=_child_setup,
        )

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def group_alive(self) -> bool:
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, sig)


def stop_all(children: list[Child], grace: float = 15.0) -> None:
    """SIGINT every group (as a terminal Ctrl-C would), then SIGTERM, then SIGKILL."""
    started = [c for c in children if c.proc is not None]
    t0 = time.monotonic()
    gone: set[str] = set()

    def note_gone() -> bool:
        for c in started:
            c.proc.poll()  # reap the leader so that the group can disappear
            if c.name not in gone and not c.group_alive():
                gone.add(c.name)
                say(f"{c.name} stopped ({time.monotonic() - t0:.1f} s)")
        return len(gone) == len(started)

    for sig, wait in ((signal.SIGINT, grace), (signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)):
        if note_gone():
            break
        alive = [c for c in started if c.name not in gone]
        if sig != signal.SIGINT:
            say(f"sending {signal.Signals(sig).name} to: {', '.join(c.name for c in alive)}")
        for c in alive:
            c.signal_group(sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and not note_gone():
            time.sleep(0.1)
    note_gone()
    for c in started:
        with contextlib.suppress(subprocess.TimeoutExpired):
            c.proc.wait(timeout=1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--password", default=os.environ.get("DEMO_PASSWORD") or None, help="demo accounts' password")
    parser.add_argument("--skip-setup", action="store_true", help="do not migrate or seed; only start the services")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument(
        "--reload",
        action="store_true",
        default=os.environ.get("RELOAD", "").lower() in {"1", "true", "yes"},
        help="restart the web server when code changes (its reloader child is not covered by PDEATHSIG)",
    )
    args = parser.parse_args()

    os.chdir(ROOT)
    if not port_free(args.host, args.port):
        fail(f"port {args.port} on {args.host} is already in use; stop what runs there or use `make run PORT=8001`.")

    # Until the children run, a Ctrl-C during set-up just ends us (Python's KeyboardInterrupt).
    accounts = "" if args.skip_setup else setup(args.password)

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "xian_enforcement.settings")
    celery = str(BIN / "celery")
    children = [
        Child(
            "web", [PY, "manage.py", "runserver", f"{args.host}:{args.port}", *([] if args.reload else ["--noreload"])]
        ),
        Child(
            "worker", [celery, "-A", "xian_enforcement", "worker", "-l", "info", f"--concurrency={args.concurrency}"]
        ),
        Child("beat", [celery, "-A", "xian_enforcement", "beat", "-l", "info"]),
    ]

    stopping: list[int] = []

    def on_signal(signum, _frame):
        stopping.append(signum)

    for sig in STOP_SIGNALS:
        signal.signal(sig, on_signal)

    sel = selectors.DefaultSelector()
    for c in children:
        c.start(env)
        sel.register(c.proc.stdout, selectors.EVENT_READ, c)
    say("started " + ", ".join(f"{c.name} (pid {c.pid})" for c in children))

    width = max(len(c.name) for c in children)
    out = sys.stdout.buffer
    shown_host = "127.0.0.1" if args.host in {"0.0.0.0", "::", ""} else args.host
    url = f"http://{shown_host}:{args.port}/"
    ready = False
    ready_deadline = time.monotonic() + 120
    next_probe = time.monotonic() + 1
    exit_code = 0

    def emit(c: Child, data: bytes, final: bool = False) -> None:
        c.buf += data
        *lines, c.buf = c.buf.split(b"\n")
        if final and c.buf:
            lines, c.buf = [*lines, c.buf], b""
        for line in lines:
            out.write(f"{c.name:<{width}} | ".encode() + line + b"\n")
        out.flush()

    while not stopping:
        for key, _ in sel.select(timeout=0.5):
            c: Child = key.data
            try:
                data = os.read(key.fd, 65536)
            except (BlockingIOError, InterruptedError):
                continue
            if data:
                emit(c, data)
            else:
                sel.unregister(key.fileobj)
                emit(c, b"", final=True)
        dead = [c for c in children if c.proc.poll() is not None]
        if dead:
            for c in dead:
                say(f"ERROR: {c.name} exited on its own with code {c.proc.returncode}; stopping the others")
            exit_code = 1
            break
        now = time.monotonic()
        if not ready and now >= next_probe:
            next_probe = now + 0.5
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/accounts/login/", timeout=2) as resp:
                    ready = resp.status < 500
            except urllib.error.HTTPError as exc:
                ready = exc.code < 500
            except OSError:
                pass
            if ready:
                banner = [
                    "",
                    "=" * 72,
                    f"  县域行政执法监督平台 is running:  {url}",
                    f"  log in at {url}accounts/login/   ·   admin at {url}admin/",
                    "  web, Celery worker and beat are running; press Ctrl-C once to stop all three.",
                    "=" * 72,
                ]
                if accounts.strip():
                    banner += ["", accounts.rstrip(), ""]
                print("\n".join(banner), flush=True)
            elif now > ready_deadline:
                say(f"ERROR: the web server did not answer on {url} within 120 s; stopping")
                exit_code = 1
                break

    if stopping:
        say(f"got {signal.Signals(stopping[0]).name}: stopping web, worker and beat …")
    # Keep draining output while the children shut down, so that they never block on a full pipe.
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)

    def drain():
        while sel.get_map():
            for key, _ in sel.select(timeout=0.2):
                try:
                    data = os.read(key.fd, 65536)
                except OSError:
                    data = b""
                if data:
                    emit(key.data, data)
                else:
                    sel.unregister(key.fileobj)
                    emit(key.data, b"", final=True)

    t = threading.Thread(target=drain, daemon=True)
    t.start()
    stop_all(children)
    t.join(timeout=2)
    still = [c.name for c in children if c.group_alive()]
    if still:
        say(f"WARNING: could not stop: {', '.join(still)}")
        return 1
    say("all stopped.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
