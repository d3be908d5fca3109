"""performance.md target 9 (one PDF ≤ 0.5 s): long-running processes import WeasyPrint at start,
so the first PDF a user asks for does not pay the ~0.8 s import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports_weasyprint_after(code: str) -> bool:
    script = f"import sys; {code}; print('weasyprint' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip().endswith("True")


def test_wsgi_application_warms_up_weasyprint():
    assert _imports_weasyprint_after("import xian_enforcement.wsgi")


def test_management_commands_do_not_pay_the_weasyprint_import():
    assert not _imports_weasyprint_after(
        "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'xian_enforcement.settings'); django.setup()"
    )


def test_celery_worker_processes_warm_up_weasyprint():
    from celery.signals import worker_process_init

    from xian_enforcement.celery import _warm_up_worker

    assert any(receiver() is _warm_up_worker for _key, receiver in worker_process_init.receivers if callable(receiver))


def test_wsgi_start_up_objects_are_frozen_out_of_full_collections():
    """What the web process holds after start-up is in the permanent generation, so a full
    collection does not walk it (performance.md targets 1 and 8: p95 of pages)."""
    script = "import gc, xian_enforcement.wsgi; print(gc.get_freeze_count())"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert int(out.stdout.strip().splitlines()[-1]) > 50_000
