"""Work a long-running process does once at start so that no user waits for it.

Importing WeasyPrint loads Pango, HarfBuzz and fontconfig through cffi: ~0.8 s, paid by the first
PDF a process renders (a review record then took 1.2–1.7 s instead of 0.2–0.4 s; performance.md
target 9 is 0.5 s). The web server (wsgi.py) and each Celery worker process (celery.py) call
``warm_up()``; management commands and tests do not, so they start fast.

Then ``reviews.pdf.warm_up()`` prepares the rest of what the first PDF paid for: the subset font
(reviews/fonts.py, made under ``VAR_DIR/fonts`` if missing: ~0.5 s once), fontconfig, the parsed
style, the compiled document templates, Pango opening both faces (a one-line PDF): ~0.35 s more at
start, and the first record then takes 0.23–0.33 s instead of 0.65–0.78 s (CPU). These are kept
per thread: the gunicorn sync worker and the Celery prefork child render in the thread that
warmed up.

Last, ``gc.freeze()``: everything the process holds after start-up (Django's apps, models, URL
patterns, templates, WeasyPrint and its fonts: ~130,000 objects) moves to the collector's permanent
generation. They are never garbage, but every full collection walked them: ~115 ms on a 2-core
machine, triggered every dozen requests that allocate much (an Excel export), so one request in ten
took three times as long (performance.md targets 1 and 8 are p95). Objects made later are
collected as usual.
"""

from __future__ import annotations

import gc


def warm_up() -> None:
    import weasyprint  # noqa: F401  (the import is most of the warm-up)

    from reviews import pdf

    pdf.warm_up()
    gc.collect()
    gc.freeze()
