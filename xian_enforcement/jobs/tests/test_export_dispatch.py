"""Exports cannot starve the web tier (issue 13): a county-wide export always runs in the
background, whatever its size (cases, county statistics, county review assessment), while a
unit's own stays a direct download; a user has at most EXPORT_JOBS_PER_USER (2) exports queued
or running, and a third request queues nothing and says why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CaseFileFactory
from xian_enforcement.jobs.models import ExportJob, JobStatus

pytestmark = pytest.mark.django_db

COUNTY_WIDE = [
    ("cases:export", "?year=2026", "cases"),
    ("statistics:county_export", "?year=2026&period=half", "statistics_county"),
    ("reviews:assessment_export", "?year=2026", "review_assessment"),
]


@pytest.mark.parametrize(("name", "query", "kind"), COUNTY_WIDE)
def test_county_wide_export_always_runs_in_the_background(client, users, dept, name, query, kind, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 10_000
    CaseFileFactory(department=dept)  # one row: far below the size threshold
    client.force_login(users["bureau_staff"])
    response = client.get(reverse(name) + query)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.kind == kind and job.owner == users["bureau_staff"] and job.status == JobStatus.PENDING


@pytest.mark.parametrize(
    ("name", "query", "role"),
    [
        ("cases:export", "?year=2026", "legal_officer"),
        ("statistics:county_export", "?year=2026&period=half", "unit_head"),
        ("reviews:assessment_export", "?year=2026", "legal_head"),
    ],
)
def test_a_units_own_export_stays_a_direct_download(client, users, dept, name, query, role):
    client.force_login(users[role])
    response = client.get(reverse(name) + query)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert not ExportJob.objects.exists()


def test_a_third_running_export_is_refused_with_a_message(client, users, dept):
    user = users["bureau_staff"]
    client.force_login(user)
    first = client.get(reverse("cases:export"))
    second = client.get(reverse("statistics:county_export") + "?year=2026&period=half")
    assert first.status_code == second.status_code == 302
    oldest = ExportJob.objects.filter(owner=user).order_by("created_at").first()
    ExportJob.objects.filter(pk=oldest.pk).update(status=JobStatus.RUNNING)  # one running, one queued
    third = client.get(reverse("reviews:assessment_export") + "?year=2026", follow=True)
    assert ExportJob.objects.filter(owner=user).count() == 2  # nothing more queued
    assert third.redirect_chain == [(reverse("jobs:detail", args=[oldest.pk]), 302)]
    html = third.content.decode()
    assert "已有 2 个导出任务正在排队或生成" in html and "每人同时最多 2 个" in html
    # Another user is not affected by this user's jobs.
    client.force_login(users["leader"])
    assert client.get(reverse("cases:export")).status_code == 302
    assert ExportJob.objects.filter(owner=users["leader"]).count() == 1
    # Once one of the two is finished, the user may export again.
    ExportJob.objects.filter(pk=oldest.pk).update(status=JobStatus.DONE)
    client.force_login(user)
    client.get(reverse("reviews:assessment_export") + "?year=2026")
    assert ExportJob.objects.filter(owner=user, kind="review_assessment").count() == 1


def test_background_county_exports_make_their_workbooks(client, users, dept):
    from io import BytesIO

    from openpyxl import load_workbook

    from tests.exports import export_content

    client.force_login(users["bureau_staff"])
    stats = load_workbook(BytesIO(export_content(client, reverse("statistics:county_export"), {"year": 2026})))
    assert "行政处罚" in stats.sheetnames
    ExportJob.objects.update(status=JobStatus.DONE)
    assessment = load_workbook(BytesIO(export_content(client, reverse("reviews:assessment_export"), {"year": 2026})))
    assert assessment.worksheets[0].cell(row=1, column=1).value.startswith("2026 年度")
    assert ExportJob.objects.filter(status=JobStatus.DONE, audited=True).count() == 2
