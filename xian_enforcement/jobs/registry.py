"""Exporters of background jobs, registered by the rooms that own the data.

The core imports no room: each room registers its exporters in its ``AppConfig.ready()`` with
``register_exporter(kind, write)`` (the audit app, in the core, registers its own the same way).
An exporter is ``write(job, out, progress) -> rows``: it writes the workbook to the path ``out`` and
calls ``progress(rows_done)`` now and then. It may return ``(rows, detail)`` instead: ``detail`` (a
dict) is added to the export's audit row. The start-up check ``jobs.E001`` refuses an
``ExportKind`` that no room registered."""

from __future__ import annotations

from collections.abc import Callable

Exporter = Callable[..., object]

EXPORTERS: dict[str, Exporter] = {}


def register_exporter(kind: str, write: Exporter) -> None:
    """Register ``write`` for ``kind`` (idempotent: ready() may run twice; a second, different
    exporter for the same kind is a wiring mistake and raises)."""
    current = EXPORTERS.get(kind)
    if current is not None and current is not write:
        raise ValueError(f"export kind {kind!r} already has an exporter: {current!r}")
    EXPORTERS[kind] = write
