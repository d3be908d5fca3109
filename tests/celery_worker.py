"""An embedded Celery worker on a private Redis queue, for the tests that run tasks through the
real machinery (the services pass): the named tasks are routed to the queue, results go to Redis,
and afterwards the worker is stopped, the queue deleted and the app's configuration restored."""

from __future__ import annotations

import contextlib
import threading
import uuid


@contextlib.contextmanager
def embedded_worker(redis_url: str, task_names, *, pool: str = "solo", concurrency: int = 1, prefix: str = "xian-test"):
    import redis
    from celery.contrib.testing.worker import start_worker

    from xian_enforcement.celery import app

    keys = ("broker_url", "result_backend", "broker_transport_options", "task_routes")
    saved = {key: app.conf.get(key) for key in keys}
    queue = f"{prefix}-{uuid.uuid4().hex[:10]}"

    def reset_connections():
        # The producer pool and the result backend are built lazily from the configuration.
        app.close()
        app._pool = None
        app._backend_cache = None
        app._local = threading.local()

    app.conf.update(
        broker_url=redis_url,
        result_backend=redis_url,
        broker_transport_options={"visibility_timeout": 60},
        task_routes={name: {"queue": queue} for name in task_names},
    )
    reset_connections()
    # Refuse to send anything unless it goes to the private queue (nothing may leak to others).
    for name in task_names:
        assert app.amqp.router.route({}, name)["queue"].name == queue
    context = start_worker(
        app,
        pool=pool,
        concurrency=concurrency,
        perform_ping_check=False,
        queues=[queue],
        shutdown_timeout=30,
        loglevel="WARNING",
    )
    worker = context.__enter__()
    try:
        yield app, worker, queue
    finally:
        context.__exit__(None, None, None)
        client = redis.Redis.from_url(redis_url)
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.close()
        app.conf.update(saved)
        reset_connections()
