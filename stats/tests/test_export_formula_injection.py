"""Formula injection: the statistics workbooks (unit and county, STA-4) write user
text (differences explained by the clerk, unit names) as text; figures stay numbers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stats import services
from stats.choices import Period
from tests.exports import export_content
from tests.spreadsheet_checks import STRIPPED, assert_text_cells

pytestmark = pytest.mark.django_db

KEYS = ["no_penalty", "no_penalty_amount", "mitigated", "mitigated_amount"]


def _report(users, dept):
    report = services.report_start(department=dept, year=2026, period=Period.HALF_YEAR, by=users["legal_officer"])
    data = {k: {"value": "0", "reason": text} for k, text in zip(KEYS, STRIPPED, strict=True)}
    assert services.report_figures_save(report=report, by=users["legal_officer"], data=data) == {}
    services.report_submit(report=report, by=users["legal_officer"])
    return services.report_accept(report=report, by=users["bureau_staff"])


def test_unit_and_county_workbooks_write_user_text_as_text(client, users, dept, records):
    report = _report(users, dept)
    dept.name = '=HYPERLINK("http://evil","x")'
    dept.save()
    client.force_login(users["legal_officer"])
    response = client.get(reverse("statistics:report_export", args=[report.pk]))
    assert response.status_code == 200
    cells = assert_text_cells(response.content, STRIPPED.values())
    assert any(c.data_type == "n" and c.value == 4700 for c in cells)
    client.force_login(users["bureau_staff"])
    # County-wide: a background job, followed to its download.
    content = export_content(client, reverse("statistics:county_export") + "?year=2026&period=half")
    assert_text_cells(content, [dept.name])
