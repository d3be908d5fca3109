"""Exports cannot starve the web tier (issue 13): a county-wide export always runs in the
background, whatever its size (cases, county statistics, county review assessment), while a
unit's own stays a direct download; a user has at most EXPORT_JOBS_PER_USER (2) exports queued
or running, and a third request queues nothing and says why."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.exports import export_content
from tests.factories import CaseFileFactory, PowerItemFactory
from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.jobs.models import ExportJob, JobStatus

pytestmark = pytest.mark.django_db

COUNTY_WIDE = [
    ("cases:export", "?year=2026", "cases", "bureau_staff"),
    ("statistics:county_export", "?year=2026&period=half", "statistics_county", "bureau_staff"),
    ("reviews:assessment_export", "?year=2026", "review_assessment", "bureau_staff"),
    ("cases:power_export", "", "power_list", "bureau_staff"),
    ("cases:power_export", "", "power_list", "leader"),
    ("cases:power_export", "", "power_list", "sysadmin"),  # maintains the county's lists
    ("tolerance:complaint_export", "", "complaints", "bureau_staff"),
    ("tolerance:complaint_export", "", "complaints", "leader"),
    ("audit:export", "", "audit_events", "auditadmin"),  # the whole system's trail
]


@pytest.mark.parametrize(("name", "query", "kind", "role"), COUNTY_WIDE)
def test_county_wide_export_always_runs_in_the_background(client, users, dept, name, query, kind, role, settings):
    settings.EXPORT_SYNC_MAX_ROWS = 10_000
    CaseFileFactory(department=dept)  # one row: far below the size threshold
    PowerItemFactory(department=dept)
    client.force_login(users[role])
    response = client.get(reverse(name) + query)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.kind == kind and job.owner == users[role] and job.status == JobStatus.PENDING


@pytest.mark.parametrize(
    ("name", "query", "role"),
    [
        ("cases:export", "?year=2026", "legal_officer"),
        ("statistics:county_export", "?year=2026&period=half", "unit_head"),
        ("reviews:assessment_export", "?year=2026", "legal_head"),
        ("cases:power_export", "", "legal_officer"),
        ("cases:power_export", "", "handler"),
        ("tolerance:complaint_export", "", "unit_head"),
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


def test_a_third_export_of_any_kind_is_refused(client, users, dept):
    """The per-user limit counts every kind: a power-list and a complaints export queued, the
    third (audit is another user's; here a second complaints export) queues nothing."""
    user = users["bureau_staff"]
    client.force_login(user)
    assert client.get(reverse("cases:power_export")).status_code == 302
    assert client.get(reverse("tolerance:complaint_export")).status_code == 302
    third = client.get(reverse("tolerance:complaint_export"), {"q": "x"}, follow=True)
    oldest = ExportJob.objects.filter(owner=user).order_by("created_at").first()
    assert oldest.kind == "power_list" and ExportJob.objects.filter(owner=user).count() == 2
    assert third.redirect_chain == [(reverse("jobs:detail", args=[oldest.pk]), 302)]
    assert "每人同时最多 2 个" in third.content.decode()


def test_the_audit_administrators_third_export_is_refused(client, users):
    client.force_login(users["auditadmin"])
    client.get(reverse("audit:export"))
    client.get(reverse("audit:export"), {"event_type": "login"})
    third = client.get(reverse("audit:export"), {"event_type": "export"})
    assert third.status_code == 302 and ExportJob.objects.count() == 2


def test_background_power_list_is_the_countys_filtered_list(client, users, dept, other_dept):
    from io import BytesIO

    from openpyxl import load_workbook

    PowerItemFactory(department=dept, code="A-1", name="过期食品处罚")
    PowerItemFactory(department=other_dept, code="B-1", name="过期药品处罚")
    PowerItemFactory(department=other_dept, code="B-2", name="占道经营")
    client.force_login(users["leader"])
    wb = load_workbook(BytesIO(export_content(client, reverse("cases:power_export"), {"q": "过期"})))
    rows = list(wb.worksheets[0].iter_rows(min_row=3, values_only=True))
    assert sorted((r[0], r[1]) for r in rows) == [(dept.name, "A-1"), (other_dept.name, "B-1")]
    job = ExportJob.objects.get()
    assert job.rows_done == 2 and "过期" in job.filter_summary
    event = AuditEvent.objects.get(event_type="export")
    assert event.user == users["leader"] and event.detail["rows"] == 2 and event.detail["background"]


def _complaint(users, accused):
    import datetime

    from tolerance import services

    return services.complaint_register(
        by_user=users["bureau_staff"],
        accused=accused,
        data={
            "received_on": datetime.date(2026, 4, 2),
            "channel": "来信",
            "summary": "态度粗暴",
            "anonymous": False,
            "reporter_name": "举报人王秘密",
            "reporter_contact": "13912345678",
        },
    )


@pytest.mark.parametrize(("role", "reporter"), [("bureau_staff", True), ("leader", False)])
def test_tol_19_background_complaints_export_shows_the_reporter_only_to_handlers(client, users, role, reporter):
    """TOL-19 in the background path: the handler's workbook has the reporter's identity, the
    leader's (county-wide, not a handler) has neither the columns nor the values; the job's audit
    row records which."""
    from io import BytesIO

    from openpyxl import load_workbook

    complaint = _complaint(users, users["handler"].officer)
    client.force_login(users[role])
    wb = load_workbook(BytesIO(export_content(client, reverse("tolerance:complaint_export"))))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == complaint.number and len(rows) == 2
    cells = [str(c) for row in rows for c in row]
    assert ("举报人" in rows[0]) is reporter
    assert ("举报人王秘密" in cells and "13912345678" in cells) is reporter
    event = AuditEvent.objects.get(event_type="export")
    assert event.user == users[role] and event.detail["reporter"] is reporter and event.detail["rows"] == 1


def test_unit_complaints_export_stays_direct_and_audited(client, users):
    _complaint(users, users["handler"].officer)
    client.force_login(users["unit_head"])
    response = client.get(reverse("tolerance:complaint_export"))
    assert response.status_code == 200 and not ExportJob.objects.exists()
    event = AuditEvent.objects.get(event_type="export")
    assert event.detail == {"q": "", "reporter": False}


def test_background_audit_export_is_filtered_and_itself_audited(client, users):
    from io import BytesIO

    from openpyxl import load_workbook

    from xian_enforcement.audit.services import audit_event_record

    audit_event_record(event_type="login_failed", username="mallory", outcome="failure")
    audit_event_record(event_type="login", username="alice")
    client.force_login(users["auditadmin"])
    wb = load_workbook(BytesIO(export_content(client, reverse("audit:export"), {"event_type": "login_failed"})))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == ["mallory"]
    job = ExportJob.objects.get()
    assert job.kind == "audit_events" and job.params == {"event_type": "login_failed"}
    event = AuditEvent.objects.get(event_type="export")
    assert event.user == users["auditadmin"] and event.detail["rows"] == 1 and event.object_repr == "审计事件"


def test_a_job_whose_owner_lost_the_role_makes_no_file(users):
    """The job runs with its owner's permissions at run time: an audit export whose owner is no
    longer the audit administrator fails (no file, no export row)."""
    from xian_enforcement.jobs.services import export_job_run

    job = ExportJob.objects.create(owner=users["bureau_staff"], kind="audit_events", title="审计事件")
    with pytest.raises(PermissionDenied):
        export_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not job.file
    assert not AuditEvent.objects.filter(event_type="export").exists()


def test_every_export_kind_has_an_exporter_registered():
    """jobs.E001: every ExportKind has an exporter, registered by its room's AppConfig.ready() (the
    power list's once named a function that did not exist; the job failed only in the worker)."""
    from xian_enforcement.jobs.checks import exporters_registered
    from xian_enforcement.jobs.models import ExportKind
    from xian_enforcement.jobs.registry import EXPORTERS

    assert exporters_registered(None) == []
    assert set(EXPORTERS) == set(ExportKind.values)
    assert all(callable(write) for write in EXPORTERS.values())


def test_an_export_kind_without_registered_exporter_fails_the_startup_check(monkeypatch):
    """jobs.E001: a kind no room registered is refused at start, not in the worker."""
    from xian_enforcement.jobs.checks import exporters_registered
    from xian_enforcement.jobs.registry import EXPORTERS

    monkeypatch.delitem(EXPORTERS, "complaints")
    assert [e.id for e in exporters_registered(None)] == ["jobs.E001"]


def test_a_second_exporter_for_a_kind_is_refused():
    from xian_enforcement.jobs.registry import EXPORTERS, register_exporter

    register_exporter("cases", EXPORTERS["cases"])  # idempotent: ready() may run twice
    with pytest.raises(ValueError):
        register_exporter("cases", lambda job, out, progress: 0)
