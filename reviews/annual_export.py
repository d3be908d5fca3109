"""The county-wide annual review assessment workbook (REV-8, REV-17) as a background export job
(xian_enforcement.jobs): county-wide exports never run in a web request. The workbook
itself is ``annual.workbook``, unchanged."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied

from xian_enforcement.org.scoping import scope_for

from . import annual


def assessment_job_write(job, out, progress) -> int:
    """Write the county's assessment workbook for ``job.params["year"]``; the owner must still
    be county-wide (a unit's own export stays a direct download)."""
    scope = scope_for(job.owner)
    if not scope.is_county_wide:
        raise PermissionDenied("the county-wide assessment export needs a county-wide role")
    content = annual.workbook(scope.region_id, int(job.params["year"]), None)
    Path(out).write_bytes(content)
    progress(1)
    return 1
