"""A real Celery worker in its own process, for the tests that kill one with SIGKILL (the
services pass). It runs ``celery -A xian_enforcement worker`` on a private Redis queue against
the test database (the test must use ``transaction=True`` so the worker sees its rows), and
``kill()`` ends it the way the kernel's OOM killer or ``kill -9`` would: no shutdown, no ack.

Afterwards the queue is deleted and the unacknowledged messages the killed workers left in
Redis (``unacked``) for this queue are dropped, so no test's message is restored into a later
run."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    s = connection.settings_dict
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    auth = s.get("USER") or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


class WorkerProcess:
    def __init__(self, redis_url: str, queue: str, extra_env: dict[str, str]):
        self.redis_url, self.queue, self.extra_env = redis_url, queue, extra_env
        self.proc: subprocess.Popen | None = None
        self.log = Path(settings.MEDIA_ROOT).parent / f"worker-{queue}.log"
        self.starts = 0

    def start(self) -> None:
        assert self.proc is None or self.proc.poll() is not None, "worker already running"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "xian_enforcement.settings",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": self.redis_url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            **self.extra_env,
        }
        argv = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "xian_enforcement",
            "worker",
            "--pool=solo",
            "-Q",
            self.queue,
            "-n",
            f"{self.queue}-{self.starts}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        self.starts += 1

    def kill(self) -> None:
        """SIGKILL, as ``kill -9``: the task in hand is neither finished nor acknowledged."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@contextlib.contextmanager
def worker_process(redis_url: str, task_names, *, extra_env: dict[str, str] | None = None):
    """Yield ``(app, worker, queue)``: ``app`` sends the named tasks to the private queue that
    ``worker`` (not yet started) consumes."""
    import redis

    from xian_enforcement.celery import app

    keys = ("broker_url", "result_backend", "task_routes")
    saved = {key: app.conf.get(key) for key in keys}
    queue = f"xian-kill-{uuid.uuid4().hex[:10]}"
    app.conf.update(
        broker_url=redis_url, result_backend=redis_url, task_routes={name: {"queue": queue} for name in task_names}
    )
    app.close()
    app._pool = None
    for name in task_names:
        assert app.amqp.router.route({}, name)["queue"].name == queue
    worker = WorkerProcess(redis_url, queue, extra_env or {})
    try:
        yield app, worker, queue
    finally:
        worker.stop()
        client = redis.Redis.from_url(redis_url)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        for tag, raw in client.hgetall("unacked").items():
            with contextlib.suppress(ValueError, TypeError, IndexError, KeyError):
                payload = json.loads(raw)
                if payload[2] == queue or payload[0]["properties"]["delivery_info"]["routing_key"] == queue:
                    client.hdel("unacked", tag)
                    client.zrem("unacked_index", tag)
        client.close()
        app.conf.update(saved)
        app.close()
        app._pool = None


def wait_for(predicate, *, timeout: float, interval: float = 0.05, what: str = "condition") -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)
