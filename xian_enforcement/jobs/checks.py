"""Start-up check: every export kind has an exporter that imports (the exporters are dotted
paths, resolved only when a job runs; a missing one would otherwise fail in the worker, after
the user had been sent to the progress page)."""

from django.core.checks import Error, register
from django.utils.module_loading import import_string


@register()
def exporters_import(app_configs, **kwargs):
    from .models import ExportKind
    from .services import EXPORTERS

    errors = []
    for kind in sorted(set(ExportKind.values) - set(EXPORTERS)):
        errors.append(Error(f"export kind {kind!r} has no exporter in jobs.services.EXPORTERS", id="jobs.E001"))
    for kind, path in sorted(EXPORTERS.items()):
        try:
            import_string(path)
        except ImportError as exc:
            errors.append(Error(f"exporter of {kind!r} does not import: {path} ({exc})", id="jobs.E002"))
    return errors
