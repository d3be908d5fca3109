"""Work a long-running process does once at start so that no user waits for it.

Importing WeasyPrint loads Pango, HarfBuzz and fontconfig through cffi: ~0.8 s, paid by the first
PDF a process renders (a review record then took 1.2–1.7 s instead of 0.2–0.4 s; performance.md
target 9 is 0.5 s). The web server (wsgi.py) and each Celery worker process (celery.py) call
``warm_up()``; management commands and tests do not, so they start fast.
"""

from __future__ import annotations


def warm_up() -> None:
    import weasyprint  # noqa: F401  (the import is the warm-up)
