"""Statistics reports: prefill from the records (STA-3, STA-5.1 … STA-5.3), overrides with a
reason, validation (STA-5.4) and the workflow with its deadline (STA-2, STA-4)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from stats import services
from stats.choices import Period, ReportStatus
from stats.models import ReportFigure, StatReport
from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.errors import DomainError
from xian_enforcement.notices.models import Deadline, Notification
from xian_enforcement.notices.services import deadline_scan

from .factories import StatReportFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def start(users, dept):
    return services.report_start(department=dept, year=2026, period=Period.HALF_YEAR, by=users["legal_officer"])


def values(report) -> dict:
    return {f.key: f for f in ReportFigure.objects.filter(report=report)}


def test_sta_5_3_prefill_equals_the_records(users, dept, records):
    report = start(users, dept)
    v = {k: f.value for k, f in values(report).items()}
    assert report.status == ReportStatus.DRAFT
    # 行政处罚: P1 under 吊销 only (heaviest), P2 under 罚款, P3 without kinds counts in no column.
    assert v["penalty_licence_revocation"] == 1
    assert v["penalty_fine"] == 1
    assert v["penalty_warning"] == 0
    assert v["penalty_total"] == 2
    assert v["penalty_amount"] == Decimal("4700.00")
    # 案件情况
    assert v["carried_over"] == 1  # P4
    assert v["filed"] == 3  # P1 P2 P3
    assert v["closed"] == 2  # P2 P4
    assert v["hearings"] == 1
    assert v["reconsidered"] == v["reconsidered_corrected"] == 1
    assert v["litigated"] == v["litigation_lost"] == 1
    assert v["transferred_judicial"] == 1
    assert v["inspections"] == 1  # I1 only: complete record
    # Clerk-only figures start empty; 许可 and 强制 are not in the power list: 无相关职责.
    assert v["no_penalty"] is None
    figs = values(report)
    assert figs["licence_granted"].no_duty and figs["measure_total"].no_duty
    assert not figs["filed"].no_duty


def test_sta_5_3_case_with_several_penalties_counts_once_under_heaviest(users, dept, records):
    report = start(users, dept)
    v = values(report)
    kinds = {
        k: f.value for k, f in v.items() if k.startswith("penalty_") and k not in ("penalty_total", "penalty_amount")
    }
    assert sum(kinds.values()) == 2
    assert v["penalty_licence_revocation"].value == 1 and v["penalty_warning"].value == 0


def test_sta_5_2_and_5_1_prefill_officers_and_training(users, dept, records):
    v = values(start(users, dept))
    assert v["officers"].value == 7 and v["holders"].value == 6
    assert v["trainees"].value == 3  # two in March, one in May; the August session is outside
    assert v["training_hours"].value == Decimal("11.00")  # 4 + 4 + 3
    assert v["sessions_held"].value == 1 and v["session_attendees"].value == 2
    assert "行政处罚法专题培训" in v["training_content"].text


def _fill_clerk_figures(users, report, **extra):
    data = {k: {"value": "0"} for k in ("no_penalty", "no_penalty_amount", "mitigated", "mitigated_amount")}
    data.update(extra)
    return services.report_figures_save(report=report, by=users["legal_officer"], data=data)


def test_sta_3_override_needs_a_reason(users, dept, records):
    report = start(users, dept)
    errors = services.report_figures_save(report=report, by=users["legal_officer"], data={"filed": {"value": "5"}})
    assert "须说明原因" in errors["filed"]
    assert values(report)["filed"].value == 3  # nothing saved
    assert (
        services.report_figures_save(
            report=report, by=users["legal_officer"], data={"filed": {"value": "5", "reason": "两起案件未录入系统"}}
        )
        == {}
    )
    filed = values(report)["filed"]
    assert filed.value == 5 and filed.recorded == 3 and filed.differs


def test_sta_3_bad_input_saves_nothing(users, dept, records):
    report = start(users, dept)
    errors = services.report_figures_save(
        report=report, by=users["legal_officer"], data={"no_penalty": {"value": "2"}, "mitigated": {"value": "abc"}}
    )
    assert "不是数字" in errors["mitigated"]
    assert values(report)["no_penalty"].value is None


def test_sta_3_refresh_keeps_overrides_with_reason(users, dept, records):
    report = start(users, dept)
    _fill_clerk_figures(users, report, filed={"value": "5", "reason": "补录"})
    services.report_refresh(report=report, by=users["legal_officer"])
    v = values(report)
    assert v["filed"].value == 5 and v["no_penalty"].value == 0 and v["closed"].value == 2


def test_sta_5_4_good_report_passes_validation_and_submits(users, dept, records):
    report = start(users, dept)
    assert set(services.report_errors(report)) == {"no_penalty", "no_penalty_amount", "mitigated", "mitigated_amount"}
    assert _fill_clerk_figures(users, report) == {}
    assert services.report_errors(report) == {}
    report = services.report_submit(report=report, by=users["legal_officer"])
    assert report.status == ReportStatus.SUBMITTED


@pytest.mark.parametrize(
    ("change", "key", "text"),
    [
        ({"penalty_total": {"value": "3", "reason": "x"}}, "penalty_total", "不等于各项之和"),
        ({"closed": {"value": "9", "reason": "x"}}, "closed", "不能大于立案数量与上期结转之和"),
        ({"filed": {"value": "", "no_duty": True}}, "filed", "不能填“无相关职责”"),
        ({"licence_granted": {"value": "0"}}, "licence_granted", "应填“无相关职责”"),
        ({"reconsidered_corrected": {"value": "2", "reason": "x"}}, "reconsidered_corrected", "不能大于"),
        ({"hearings": {"value": "1.5", "reason": "x"}}, "hearings", "整数"),
    ],
)
def test_sta_5_4_each_rule_rejects_a_bad_report(users, dept, records, change, key, text):
    report = start(users, dept)
    assert _fill_clerk_figures(users, report, **change) == {}
    errors = services.report_errors(report)
    assert any(text in m for m in errors[key]), errors
    with pytest.raises(DomainError) as exc:
        services.report_submit(report=report, by=users["legal_officer"])
    assert exc.value.rule_id == "STA-5.4"
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_sta_5_4_coercion_total_checked_when_unit_has_the_power(users, dept, records):
    from tests.factories import PowerItemFactory, category

    PowerItemFactory(department=dept, category=category("coercion"))
    report = start(users, dept)
    data = {k: {"value": "1"} for k in ("measure_seal", "measure_seize", "measure_freeze", "measure_other")}
    data["measure_total"] = {"value": "3"}
    _fill_clerk_figures(users, report, **data)
    assert any("不等于各项之和" in m for m in services.report_errors(report)["measure_total"])
    _fill_clerk_figures(users, report, measure_total={"value": "4"})
    assert "measure_total" not in services.report_errors(report)


def test_sta_2_only_the_units_legal_office_fills_in(users, dept, other_dept, records):
    for role in ("handler", "unit_head", "bureau_staff", "leader"):
        with pytest.raises(DomainError) as exc:
            services.report_start(department=dept, year=2026, period=Period.HALF_YEAR, by=users[role])
        assert exc.value.rule_id == "STA-2"
    with pytest.raises(DomainError):
        services.report_start(department=other_dept, year=2026, period=Period.HALF_YEAR, by=users["legal_officer"])


def test_sta_2_workflow_submit_return_resubmit_accept(users, dept, records):
    report = start(users, dept)
    _fill_clerk_figures(users, report)
    services.report_submit(report=report, by=users["legal_head"])
    with pytest.raises(DomainError) as exc:
        services.report_accept(report=report, by=users["legal_head"])
    assert exc.value.rule_id == "STA-4"
    with pytest.raises(DomainError):
        services.report_return(report=report, by=users["bureau_staff"], reason="  ")
    report = services.report_return(report=report, by=users["bureau_staff"], reason="罚没金额请与财政票据核对")
    assert report.status == ReportStatus.RETURNED and report.return_reason
    assert Notification.objects.filter(recipient=users["legal_head"], rule_id="STA-2").exists()
    deadline = Deadline.objects.get(kind=services.STA2_KIND)
    assert deadline.status == "open" and deadline.met_at is None  # reopened by notices.deadline_reopen
    services.report_submit(report=report, by=users["legal_officer"])
    report = services.report_accept(report=report, by=users["bureau_staff"])
    assert report.status == ReportStatus.ACCEPTED
    deadline.refresh_from_db()
    assert deadline.status == "met"
    with pytest.raises(DomainError):
        services.report_figures_save(report=report, by=users["legal_officer"], data={"filed": {"value": "3"}})


def test_sta_2_deadline_due_10_july_with_reminder_and_overdue_flag(users, dept, records):
    report = start(users, dept)
    deadline = Deadline.objects.get(kind=services.STA2_KIND, object_id=report.pk)
    assert deadline.due_date == D(2026, 7, 10)
    assert deadline.assignee == users["legal_head"]
    with time_machine.travel(datetime.datetime(2026, 7, 12, 2, tzinfo=datetime.UTC), tick=False):
        assert deadline_scan(today=D(2026, 7, 12)) == 1
    assert Notification.objects.filter(recipient=users["legal_head"], kind="overdue").exists()


def test_sta_2_year_report_due_10_january_configurable(settings, users, dept):
    assert services.due_date(2026, Period.YEAR) == D(2027, 1, 10)
    settings.RULES = {**settings.RULES, "STA_2_YEAR_DUE_DAYS": 20}
    assert services.due_date(2026, Period.YEAR) == D(2027, 1, 20)


def test_sta_2_periodic_job_opens_reports_once(users, dept, other_dept, bureau, today):
    first = services.report_periods_open(today=D(2026, 7, 2))
    assert first == StatReport.objects.filter(year=2026, period=Period.HALF_YEAR).count() >= 3
    assert services.report_periods_open(today=D(2026, 7, 2)) == 0
    assert Deadline.objects.filter(kind=services.STA2_KIND).count() == first
    # Long after the period: nothing opened (no flood of overdue notices on a late install).
    assert services.report_periods_open(today=D(2026, 11, 30)) == 0


def test_sta_2_task_runs_twice_with_one_effect(users, dept, today):
    from stats.tasks import open_periodic_deadlines

    first = open_periodic_deadlines()
    assert first["reports"] >= 1
    assert open_periodic_deadlines() == {"reports": 0, "certificates": 0}


def test_sta_2_beat_schedule_registered():
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.get(name="statistics-open-deadlines").task == "statistics.open_periodic_deadlines"


def test_sta_2_future_period_cannot_start(users, dept, today):
    with pytest.raises(DomainError):
        services.report_start(department=dept, year=2027, period=Period.HALF_YEAR, by=users["legal_officer"])


def test_sta_2_start_is_idempotent(users, dept, records):
    a = start(users, dept)
    b = start(users, dept)
    assert a.pk == b.pk and StatReport.objects.count() == 1


def test_status_not_started_report_from_factory(dept):
    assert StatReportFactory(department=dept).status == ReportStatus.NOT_STARTED


def test_sta_3_bulk_saved_report_figures_are_in_the_trail(users, dept):
    """STA-3 keeps every change of a reported figure: the report form saves figures with
    bulk_update, which auditlog alone would not hear (xian_enforcement/audit/bulk.py)."""
    report = services.report_start(department=dept, year=2026, period=Period.HALF_YEAR, by=users["legal_officer"])
    assert (
        services.report_figures_save(report=report, by=users["legal_officer"], data={"no_penalty": {"value": "4"}})
        == {}
    )
    bulk_rows = AuditEvent.objects.filter(event_type="state_change", detail__has_key="bulk").order_by("pk")
    saves = [r for r in bulk_rows if r.detail["model"] == "statistics.ReportFigure" and r.detail["bulk"] == "update"]
    assert saves, "the figure save left no audit row"
    (save,) = saves  # the prefill's bulk_update changed nothing and left no row
    changed = [r for r in save.detail["rows"] if r["after"]["value"] == "4.00"]
    assert len(changed) == 1 and changed[0]["before"]["value"] is None
