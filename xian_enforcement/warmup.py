"""Work a long-running process does once at start so that no user waits for it.

The web server (wsgi.py) and each Celery worker process (celery.py) call ``warm_up()``;
management commands and tests do not, so they start fast. The core knows no room: a room that has
something worth preparing at start registers it in its ``AppConfig.ready()`` with
``register_warm_up`` (reviews: WeasyPrint, the PDF fonts, style and templates, ``reviews.pdf``).
A warm-up must not raise: the process starts anyway, and the first request pays instead.

Last, ``gc.freeze()``: everything the process holds after start-up (Django's apps, models, URL
patterns, templates, what the warm-ups loaded) moves to the collector's permanent generation.
They are never garbage, but every full collection walked them, so one request in ten that
allocates much took several times as long. Objects made later are collected as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

_WARM_UPS: list[Callable[[], None]] = []


def register_warm_up(fn: Callable[[], None]) -> None:
    """Run ``fn`` when a long-running process starts (idempotent: ready() may run twice)."""
    if fn not in _WARM_UPS:
        _WARM_UPS.append(fn)


def warm_up() -> None:
    for fn in _WARM_UPS:
        fn()
    gc.collect()
    gc.freeze()
