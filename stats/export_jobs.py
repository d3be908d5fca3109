"""The county statistics workbook (STA-4) as a background export job (xian_enforcement.jobs):
county-wide exports never run in a web request. The workbook itself is ``exports.county_workbook``, unchanged."""

from __future__ import annotations

from pathlib import Path

from xian_enforcement.org.models import Department

from . import report_selectors as selectors
from .exports import county_workbook


def county_job_write(job, out, progress) -> int:
    """Write the county workbook for ``job.params`` (year, period) as its owner sees it now
    (the same permission-limited data as the status page). Returns the units included."""
    from .views_reports import _period_label

    selectors.require_report_access(job.owner)
    year, period = int(job.params["year"]), job.params["period"]
    aggregate = selectors.county_aggregate(job.owner, year, period)
    units = selectors.departments_for_reports(job.owner)
    region = Department.objects.filter(pk__in=units).select_related("region").first()
    content = county_workbook(
        aggregate,
        region_name=region.region.name if region else "",
        period_label=_period_label(year, period),
        unit_count=units.count(),
    )
    Path(out).write_bytes(content)
    progress(len(aggregate.units))
    return len(aggregate.units)
