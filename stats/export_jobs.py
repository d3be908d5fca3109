"""The county statistics workbook (STA-4) as a background export job (xian_enforcement.jobs):
county-wide exports never run in a web request. The workbook itself is ``exports.county_workbook``, unchanged."""

from __future__ import annotations

from pathlib import Path

from . import report_selectors as selectors
from .choices import period_label
from .exports import county_workbook


def county_workbook_for(user, year: int, period: str) -> tuple[bytes, int]:
    """The county workbook (STA-4) of ``year`` and ``period`` as ``user`` may see it, and the
    number of units in it: one builder for the direct download and the background job."""
    aggregate = selectors.county_aggregate(user, year, period)
    units = selectors.departments_for_reports(user)
    region = units.select_related("region").first()
    content = county_workbook(
        aggregate,
        region_name=region.region.name if region else "",
        period_label=period_label(year, period),
        unit_count=units.count(),
    )
    return content, len(aggregate.units)


def county_job_write(job, out, progress) -> int:
    """Write the county workbook for ``job.params`` (year, period) as its owner sees it now
    (the same permission-limited data as the status page). Returns the units included."""
    selectors.require_report_access(job.owner)
    content, units = county_workbook_for(job.owner, int(job.params["year"]), job.params["period"])
    Path(out).write_bytes(content)
    progress(units)
    return units
