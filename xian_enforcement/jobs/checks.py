"""Start-up check: every export kind has an exporter registered by a room (``register_exporter`` in
its ``AppConfig.ready()``); a missing one would otherwise fail in the worker, after the user had been
sent to the progress page."""

from django.core.checks import Error, register


@register()
def exporters_registered(app_configs, **kwargs):
    from .models import ExportKind
    from .registry import EXPORTERS

    errors = []
    for kind in sorted(set(ExportKind.values) - set(EXPORTERS)):
        errors.append(
            Error(f"export kind {kind!r} has no exporter: register one with register_exporter()", id="jobs.E001")
        )
    for kind, write in sorted(EXPORTERS.items()):
        if not callable(write):
            errors.append(Error(f"exporter of {kind!r} is not callable: {write!r}", id="jobs.E002"))
    for kind in sorted(set(EXPORTERS) - set(ExportKind.values)):
        errors.append(Error(f"exporter registered for unknown export kind {kind!r}", id="jobs.E003"))
    return errors
