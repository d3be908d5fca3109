"""Issue 13 "Imports": the ledger preview reports frozen files (REV-7) set-based; the confirmed
import writes in bulk with the audit trail intact (security.md: bulk writes on audited models
are audited), keeps the statistics summaries and REV-5 deadlines; a large file is previewed and
imported by a background job with progress; the power-list and training imports are
all-or-nothing with row numbers and refuse a known cell error before any service runs."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import ledger, ledger_jobs, powerlist, services
from cases.models import CaseFile, LedgerImportJob, PowerItem
from cases.tests.test_ledger import good_row, upload, xlsx
from cases.tests.test_powerlist import row as power_row
from cases.tests.test_powerlist import xlsx as power_xlsx
from reviews.tests.factories import locked_review, submitted_review
from stats import training
from stats.case_summaries import fresh_aggregate, summary_rows
from stats.models import TrainingSession
from stats.tests.test_training import sheet
from tests.factories import PowerItemFactory, certified_officer
from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.errors import DomainError
from xian_enforcement.jobs.models import JobStatus
from xian_enforcement.notices.models import Deadline
from xian_enforcement.org.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team(dept):
    return {
        "a": certified_officer(dept, name="张执法"),
        "b": certified_officer(dept, name="李执法"),
        "power": PowerItemFactory(department=dept, code="XZCF-0001"),
    }


def rows(team, n: int, start: int = 1, **overrides) -> list[dict]:
    return [good_row(team, i, **overrides) for i in range(start, start + n)]


def import_queries(dept, user, content: bytes) -> int:
    with CaptureQueriesContext(connection) as ctx:
        ledger.ledger_import(department=dept, content=content, user=user)
    return len(ctx.captured_queries)


# --- REV-7 in the preview, set-based -----------------------------------------------------------


def test_rev_7_preview_finds_frozen_files_with_one_query_for_the_whole_file(dept, team, users):
    user = users[Role.LEGAL_OFFICER]
    ledger.ledger_import(department=dept, content=xlsx(rows(team, 8, 结案日期="2026-04-20")), user=user)
    cases = list(CaseFile.objects.order_by("pk"))
    for case in cases[:6]:
        services.case_file_transfer_for_review(case_file=case, by_user=users["handler"], on=datetime.date(2026, 4, 25))
    submitted_review(cases[0], users["legal_officer"])
    locked_review(cases[1], users)

    changed = [dict(r, 罚款金额=777) for r in rows(team, 8, 结案日期="2026-04-20")]
    with CaptureQueriesContext(connection) as two:
        result = ledger.ledger_preview(department=dept, content=xlsx(changed), user=user)
    assert [(e.row, "REV-7" in e.message) for e in result.errors] == [(2, True), (3, True)]

    for case in cases[2:6]:  # four more frozen files: the same number of queries
        submitted_review(case, users["legal_officer"])
    with CaptureQueriesContext(connection) as six:
        result = ledger.ledger_preview(department=dept, content=xlsx(changed), user=user)
    assert [e.row for e in result.errors] == [2, 3, 4, 5, 6, 7]
    assert all("REV-7" in e.message for e in result.errors)
    assert len(six.captured_queries) <= len(two.captured_queries)


# --- the confirmed import writes in bulk ---------------------------------------------------


def test_target_12_confirm_writes_set_based_queries_do_not_grow_with_rows(dept, team, users):
    """Old code ran case_file_create per row (a dozen queries a row)."""
    user = users[Role.LEGAL_OFFICER]
    small = import_queries(dept, user, xlsx(rows(team, 5)))
    large = import_queries(dept, user, xlsx(rows(team, 60, start=100)))
    assert CaseFile.objects.count() == 65
    assert large <= small + 2, (small, large)


def test_bulk_confirm_keeps_the_audit_trail_m2m_summaries_and_rev_5(dept, team, users, settings):
    user = users[Role.LEGAL_OFFICER]
    content = xlsx([*rows(team, 3), good_row(team, 4, 结案日期="2026-04-20")])
    result = ledger.ledger_import(department=dept, content=content, user=user)
    assert result.created == 4
    cases = {c.number: c for c in CaseFile.objects.all()}
    assert all(list(c.co_handlers.all()) == [team["b"]] for c in cases.values())
    assert all({p.name for p in c.penalty_kinds.all()} == {"警告", "罚款"} for c in cases.values())
    assert all(c.created_by == user and c.status for c in cases.values())

    created = AuditEvent.objects.get(detail__bulk="create", detail__model="cases.CaseFile")
    assert created.user == user and created.detail["count"] == 4
    assert sorted(created.detail["pks"]) == sorted(str(c.pk) for c in cases.values())
    assert all(r["after"]["party_name"] == "***" for r in created.detail["rows"])  # masked as auditlog does
    m2m = AuditEvent.objects.get(detail__bulk="create", detail__field="co_handlers")
    assert {r["pk"]: r["co_handlers"] for r in m2m.detail["rows"]} == {
        str(c.pk): [team["b"].pk] for c in cases.values()
    }
    assert AuditEvent.objects.filter(event_type="import", detail__created=4).exists()

    assert summary_rows() == fresh_aggregate()  # maintained statistics follow the bulk write
    closed = cases["隰市监罚〔2026〕4号"]
    assert Deadline.objects.filter(kind=services.REV5_KIND, object_id=closed.pk, status="open").exists()
    assert Deadline.objects.filter(kind=services.REV5_KIND).count() == 1

    # A changed file is updated in bulk: values before and after in the audit row.
    changed = xlsx([*rows(team, 3), good_row(team, 4, 结案日期="2026-04-22", 罚款金额=900, 协办人执法证号=None)])
    with pytest.raises(ledger.ImportRejected):  # one handler only: REV-13, nothing written
        ledger.ledger_import(department=dept, content=changed, user=user)
    other = certified_officer(dept, name="王执法")
    changed = xlsx(
        [
            *rows(team, 3),
            good_row(team, 4, 结案日期="2026-04-22", 罚款金额=900, 协办人执法证号=other.certificates.first().number),
        ]
    )
    result = ledger.ledger_import(department=dept, content=changed, user=user)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    closed.refresh_from_db()
    assert closed.fine_amount == 900 and list(closed.co_handlers.all()) == [other]
    update = AuditEvent.objects.get(detail__bulk="update", detail__model="cases.CaseFile")
    (changed_row,) = update.detail["rows"]
    assert changed_row["pk"] == str(closed.pk)
    assert changed_row["before"]["fine_amount"] != changed_row["after"]["fine_amount"]
    assert AuditEvent.objects.filter(detail__bulk="update", detail__field="co_handlers").exists()
    assert summary_rows() == fresh_aggregate()
    deadline = Deadline.objects.get(kind=services.REV5_KIND, object_id=closed.pk)
    assert deadline.start_date == datetime.date(2026, 4, 22)  # the new closing date


def test_reimporting_an_unchanged_file_writes_nothing(dept, team, users):
    user = users[Role.LEGAL_OFFICER]
    content = xlsx(rows(team, 3))
    ledger.ledger_import(department=dept, content=content, user=user)
    before = AuditEvent.objects.exclude(event_type="import").count()
    result = ledger.ledger_import(department=dept, content=content, user=user)
    assert result.unchanged == 3
    assert AuditEvent.objects.exclude(event_type="import").count() == before


# --- background job ---------------------------------------------------------------------------


@pytest.fixture
def big(settings):
    settings.IMPORT_SYNC_MAX_BYTES = 0  # every file is "large": it goes to the background


def _upload_job(client, content, django_capture_on_commit_callbacks) -> LedgerImportJob:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("cases:ledger_import"), {"file": upload(content)})
    job = LedgerImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:ledger_job", args=[job.pk])
    assert len(callbacks) == 1  # queued after commit
    return job


def test_large_file_is_previewed_in_the_background_with_progress_then_errors(
    client, dept, team, users, big, django_capture_on_commit_callbacks
):
    client.force_login(users[Role.LEGAL_OFFICER])
    content = xlsx([good_row(team, 1), good_row(team, 2, 罚款金额=-5), good_row(team, 3, 决定日期="2026-02-01")])
    job = _upload_job(client, content, django_capture_on_commit_callbacks)
    page = client.get(reverse("cases:ledger_job", args=[job.pk])).content.decode()
    assert 'id="job-progress"' in page and "hx-get" in page  # the web worker checked nothing
    assert job.status == JobStatus.PENDING

    done = ledger_jobs.ledger_job_run(job.pk)
    assert done.status == JobStatus.DONE and done.result["ok"] is False
    fragment = client.get(reverse("cases:ledger_job_progress", args=[job.pk])).content.decode()
    assert "hx-get" not in fragment  # polling stops
    assert "第 3 行" in fragment and "第 4 行" in fragment and "confirm-form" not in fragment
    assert CaseFile.objects.count() == 0
    # A confirm of a preview with errors is refused.
    client.post(reverse("cases:ledger_job", args=[job.pk]), {"confirm": "1"})
    assert LedgerImportJob.objects.get().action == LedgerImportJob.PREVIEW


def test_large_file_preview_then_confirm_in_the_background(
    client, dept, team, users, big, django_capture_on_commit_callbacks
):
    user = users[Role.LEGAL_OFFICER]
    client.force_login(user)
    job = _upload_job(client, xlsx(rows(team, 3)), django_capture_on_commit_callbacks)
    ledger_jobs.ledger_job_run(job.pk)
    assert ledger_jobs.ledger_job_run(job.pk).status == JobStatus.DONE  # a second delivery does nothing
    page = client.get(reverse("cases:ledger_job", args=[job.pk])).content.decode()
    assert "confirm-form" in page and 'id="count-create"' in page
    assert CaseFile.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("cases:ledger_job", args=[job.pk]), {"confirm": "1"})
        again = client.post(reverse("cases:ledger_job", args=[job.pk]), {"confirm": "1"})  # double click
    assert response.status_code == 302 and again["Location"] == reverse("cases:ledger_import")
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.action == LedgerImportJob.IMPORT and job.status == JobStatus.PENDING
    assert CaseFile.objects.count() == 0

    ledger_jobs.ledger_job_run(job.pk)
    ledger_jobs.ledger_job_run(job.pk)
    assert CaseFile.objects.count() == 3
    assert AuditEvent.objects.filter(event_type="import").count() == 1
    page = client.get(reverse("cases:ledger_job", args=[job.pk])).content.decode()
    assert 'id="job-imported"' in page


def test_confirm_in_the_background_rechecks_and_reports_rows(
    client, dept, team, users, big, django_capture_on_commit_callbacks
):
    user = users[Role.LEGAL_OFFICER]
    client.force_login(user)
    job = _upload_job(client, xlsx(rows(team, 2)), django_capture_on_commit_callbacks)
    ledger_jobs.ledger_job_run(job.pk)
    ledger.ledger_import(department=dept, content=xlsx([good_row(team, 2, 结案日期="2026-04-20")]), user=user)
    case = CaseFile.objects.get()
    services.case_file_transfer_for_review(case_file=case, by_user=users["handler"], on=datetime.date(2026, 4, 25))
    locked_review(case, users)  # row 3's file is now final (REV-7)
    client.post(reverse("cases:ledger_job", args=[job.pk]), {"confirm": "1"})
    ledger_jobs.ledger_job_run(job.pk)
    page = client.get(reverse("cases:ledger_job", args=[job.pk])).content.decode()
    assert "导入未完成" in page and "第 3 行" in page and "REV-7" in page
    assert CaseFile.objects.count() == 1


def test_only_the_owner_sees_the_job(client, dept, team, users, big, django_capture_on_commit_callbacks):
    client.force_login(users[Role.LEGAL_OFFICER])
    job = _upload_job(client, xlsx(rows(team, 1)), django_capture_on_commit_callbacks)
    client.force_login(users["legal_head"])
    assert client.get(reverse("cases:ledger_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("cases:ledger_job_progress", args=[job.pk])).status_code == 404
    assert client.post(reverse("cases:ledger_job", args=[job.pk]), {"confirm": "1"}).status_code == 404


def test_small_file_is_still_previewed_inline(client, team, users):
    client.force_login(users[Role.LEGAL_OFFICER])
    response = client.post(reverse("cases:ledger_import"), {"file": upload(xlsx(rows(team, 2)))})
    assert response.status_code == 200 and response.context["result"].created == 2
    assert not LedgerImportJob.objects.exists()


# --- the other Excel imports: power list, training attendance ---------------------------------


def test_tol_6_power_list_bad_row_refuses_all_before_any_service_runs(dept, users):
    user = users[Role.LEGAL_OFFICER]
    few = power_xlsx([power_row(1), power_row(2, 职权类别="行政罚款")])
    many = power_xlsx([*(power_row(n) for n in range(3, 40)), power_row(2, 职权类别="行政罚款")])
    with CaptureQueriesContext(connection) as small, pytest.raises(ledger.ImportRejected) as exc:
        powerlist.power_list_import(department=dept, content=few, user=user)
    assert [(e.row, e.column) for e in exc.value.result.errors] == [(3, "职权类别")]
    with CaptureQueriesContext(connection) as large, pytest.raises(ledger.ImportRejected) as exc:
        powerlist.power_list_import(department=dept, content=many, user=user)
    assert [e.row for e in exc.value.result.errors] == [39]
    assert len(large.captured_queries) == len(small.captured_queries)  # no row went through the service
    assert not PowerItem.objects.filter(department=dept).exists()


def test_sta_5_1_training_sheet_bad_row_refuses_all_with_row_number(dept, users):
    good = users["handler"].officer
    content = sheet([(good.name, "", ""), ("查无此人", "", ""), (good.name, "", "")])
    with pytest.raises(DomainError) as exc:
        training.training_create(
            by=users[Role.LEGAL_OFFICER],
            organiser=dept,
            title="执法培训",
            content="证据规则",
            held_on=datetime.date(2026, 4, 10),
            hours=2,
            sheet=content,
        )
    assert "第 3 行" in exc.value.message and "第 4 行" in exc.value.message
    assert not TrainingSession.objects.exists()
