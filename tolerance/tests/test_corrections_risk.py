"""Error correction (TOL-16, TOL-17: items, extension history, reminders) and risk warnings
(TOL-18: threshold per department and county-wide)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from tests.factories import certified_officer
from tolerance import services
from tolerance.models import CorrectionOrder, RiskWarning
from tolerance.services import CORRECTION_KIND
from tolerance.tests.factories import add_evidence, decide, draft, investigating
from xian_enforcement.errors import DomainError
from xian_enforcement.notices.models import Deadline, DeadlineExtension, Notification
from xian_enforcement.notices.services import deadline_scan

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 5, 4)


def _issued(users, due=datetime.date(2026, 6, 3)):
    decision = decide(users, investigating(users))
    services.decision_notify(decision=decision, by_user=users["legal_officer"])
    return services.correction_issue(
        order=decision.correction,
        by_user=users["legal_head"],
        reasons="执法程序存在瑕疵",
        requirements="一个月内完成整改并报送材料",
        items=["补正调查笔录", "修订检查工作流程", ""],
        due_date=due,
    )


@time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0), tick=False)
def test_tol_16_tolerated_decision_creates_draft_order(users):
    decision = decide(users, investigating(users))
    assert decision.correction.status == "draft"
    assert decision.correction.reasons


@time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0), tick=False)
def test_tol_17_issue_needs_reasons_items_requirements_and_future_deadline(users):
    decision = decide(users, investigating(users))
    order = decision.correction
    base = {"reasons": "r", "requirements": "q", "items": ["a"], "due_date": datetime.date(2026, 6, 1)}
    for key, bad in (("reasons", ""), ("requirements", " "), ("items", ["", " "]), ("due_date", TODAY)):
        with pytest.raises(DomainError) as exc:
            services.correction_issue(order=order, by_user=users["legal_head"], **{**base, key: bad})
        assert exc.value.rule_id == "TOL-17"
    with pytest.raises(DomainError):  # the officer concerned cannot issue their own order
        services.correction_issue(order=order, by_user=users["handler"], **base)
    order.refresh_from_db()
    assert order.status == "draft"


@time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0), tick=False)
def test_tol_17_issued_order_items_deadline_and_notice(users):
    order = _issued(users)
    assert order.status == "issued"
    assert list(order.items.values_list("text", flat=True)) == ["补正调查笔录", "修订检查工作流程"]
    deadline = Deadline.objects.get(kind=CORRECTION_KIND, object_id=order.pk)
    assert deadline.due_date == datetime.date(2026, 6, 3)
    assert deadline.assignee == users["handler"]
    assert Notification.objects.filter(recipient=users["handler"], rule_id="TOL-17").exists()
    # reminder 3 days before, overdue flag the day after
    assert deadline_scan(today=datetime.date(2026, 5, 31)) == 1
    assert deadline_scan(today=datetime.date(2026, 6, 4)) == 1
    assert Notification.objects.filter(recipient=users["handler"], kind="overdue", rule_id="TOL-17").exists()


@time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0), tick=False)
def test_tol_17_extension_history(users):
    order = _issued(users)
    with pytest.raises(DomainError, match="理由"):
        services.extension_request(
            order=order, by_user=users["handler"], requested_due=datetime.date(2026, 7, 1), reason=""
        )
    with pytest.raises(DomainError):
        services.extension_request(
            order=order, by_user=users["handler"], requested_due=datetime.date(2026, 6, 1), reason="早于原期限"
        )
    first = services.extension_request(
        order=order, by_user=users["handler"], requested_due=datetime.date(2026, 7, 3), reason="需补充检测"
    )
    with pytest.raises(DomainError, match="待审批"):
        services.extension_request(
            order=order, by_user=users["handler"], requested_due=datetime.date(2026, 7, 5), reason="again"
        )
    with pytest.raises(DomainError) as exc:  # the subject does not approve their own request
        services.extension_decide(request=first, by_user=users["handler"], approve=True)
    assert exc.value.rule_id == "TOL-17"
    services.extension_decide(request=first, by_user=users["legal_head"], approve=True, note="同意")
    second = services.extension_request(
        order=order, by_user=users["handler"], requested_due=datetime.date(2026, 8, 1), reason="再延"
    )
    with pytest.raises(DomainError, match="说明理由"):
        services.extension_decide(request=second, by_user=users["party_member"], approve=False)
    services.extension_decide(request=second, by_user=users["party_member"], approve=False, note="理由不充分")
    order.refresh_from_db()
    assert order.due_date == datetime.date(2026, 7, 3)
    history = list(order.extensions.values_list("status", "old_due", "requested_due"))
    assert history == [
        ("approved", datetime.date(2026, 6, 3), datetime.date(2026, 7, 3)),
        ("refused", datetime.date(2026, 7, 3), datetime.date(2026, 8, 1)),
    ]
    deadline = Deadline.objects.get(kind=CORRECTION_KIND, object_id=order.pk)
    assert deadline.due_date == datetime.date(2026, 7, 3)
    assert list(DeadlineExtension.objects.values_list("old_due_date", "new_due_date")) == [
        (datetime.date(2026, 6, 3), datetime.date(2026, 7, 3))
    ]


@time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0), tick=False)
def test_tol_17_progress_per_item_completes_order(users):
    order = _issued(users)
    first, second = order.items.all()
    with pytest.raises(DomainError) as exc:
        services.correction_item_report(item=first, by_user=users["legal_head"], status="done", progress="x")
    assert exc.value.rule_id == "TOL-17"
    services.correction_item_report(item=first, by_user=users["handler"], status="done", progress="已补正")
    services.correction_item_report(item=second, by_user=users["handler"], status="in_progress", progress="修订中")
    order.refresh_from_db()
    assert order.status == "issued"
    services.correction_item_report(item=second, by_user=users["handler"], status="done", progress="已印发")
    order.refresh_from_db()
    assert order.status == "completed"
    assert Deadline.objects.get(kind=CORRECTION_KIND, object_id=order.pk).status == "met"


def _submitted(user, n, category="evidence", officer=None):
    for _ in range(n):
        act_date = timezone.localdate() - datetime.timedelta(days=1)
        application = draft(user, officer=officer, error_category=category, act_date=act_date)
        add_evidence(application, user)
        services.application_submit(application=application, by_user=user)


@time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0), tick=False)
def test_tol_18_department_warning_fires_at_threshold_not_below(users):
    _submitted(users["handler"], 2)
    _submitted(users["handler"], 2, category="law")
    assert not RiskWarning.objects.exists()
    _submitted(users["handler"], 1)
    warning = RiskWarning.objects.get()
    assert warning.department == users["handler"].officer.department
    assert warning.count == 3
    assert warning.applications.count() == 3
    warned = set(Notification.objects.filter(rule_id="TOL-18").values_list("recipient_id", flat=True))
    assert warned == {users["legal_head"].pk, users["unit_head"].pk, users["party_member"].pk}
    _submitted(users["handler"], 1)  # same month: the warning is refreshed, not repeated
    assert RiskWarning.objects.get().count == 4
    assert Notification.objects.filter(rule_id="TOL-18").count() == 3


@time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0), tick=False)
def test_tol_18_county_warning_fires_at_five(users, other_dept, dept):
    other = certified_officer(other_dept, roles=["handler", "legal_head"]).user
    _submitted(users["handler"], 2)
    _submitted(other, 2)
    assert not RiskWarning.objects.exists()
    _submitted(other, 1)  # 3 in other_dept → department warning; 5 county-wide → county warning
    scopes = set(RiskWarning.objects.values_list("scope_key", flat=True))
    assert scopes == {str(other_dept.pk), "county"}
    county = RiskWarning.objects.get(scope_key="county")
    assert county.count == 5 and county.department is None


def test_tol_18_window_excludes_old_applications(users, settings):
    with time_machine.travel(datetime.datetime(2025, 3, 1, 9, 0), tick=False):
        _submitted(users["handler"], 2)
    with time_machine.travel(datetime.datetime(2026, 5, 4, 9, 0), tick=False):
        _submitted(users["handler"], 1)
    assert not RiskWarning.objects.exists()


def test_tol_17_order_exists_only_for_tolerated(users):
    decide(users, investigating(users), outcome="not_tolerated")
    assert not CorrectionOrder.objects.exists()


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(9)), tick=False)


def test_tol_17_approved_extension_after_overdue_reminds_again_before_the_new_date(users):
    """TOL-17: an approved extension recomputes the reminders for the new date. The order was
    reminded (31 May) and flagged overdue (4 June); after the extension to 3 July it is no
    longer overdue, is reminded 3 days before the new date and flagged the day after it."""
    with _at(TODAY):
        order = _issued(users)
    with _at(datetime.date(2026, 5, 31)):
        assert deadline_scan() == 1
    with _at(datetime.date(2026, 6, 4)):
        assert deadline_scan() == 1
    with _at(datetime.date(2026, 6, 5)):
        request = services.extension_request(
            order=order, by_user=users["handler"], requested_due=datetime.date(2026, 7, 3), reason="需补充检测"
        )
        services.extension_decide(request=request, by_user=users["legal_head"], approve=True, note="同意")
        deadline = Deadline.objects.get(kind=CORRECTION_KIND, object_id=order.pk)
        assert not deadline.is_overdue and deadline.chip_colour == "success"
        assert deadline.next_action_on == datetime.date(2026, 6, 30)
        assert deadline_scan() == 0
    with _at(datetime.date(2026, 6, 29)):
        assert deadline_scan() == 0
    with _at(datetime.date(2026, 6, 30)):
        assert deadline_scan() == 1
        assert deadline_scan() == 0
    reminders = Notification.objects.filter(recipient=users["handler"], kind="reminder", rule_id="TOL-17")
    assert reminders.order_by("id").last().title.count("还剩 3 天") == 1
    with _at(datetime.date(2026, 7, 4)):
        assert deadline_scan() == 1
    overdue = Notification.objects.filter(recipient=users["handler"], kind="overdue", rule_id="TOL-17")
    assert [n.title.count("2026-07-03") for n in overdue.order_by("id")] == [0, 1]


def test_tol_17_extension_before_the_reminder_moves_the_reminder(users):
    """TOL-17: extended before the reminder went out, the order is reminded 3 days before the
    new date, not on the day computed from the old one."""
    with _at(TODAY):
        order = _issued(users)
        request = services.extension_request(
            order=order, by_user=users["handler"], requested_due=datetime.date(2026, 7, 3), reason="需补充检测"
        )
        services.extension_decide(request=request, by_user=users["legal_head"], approve=True)
    with _at(datetime.date(2026, 5, 31)):
        assert deadline_scan() == 0
    with _at(datetime.date(2026, 6, 30)):
        assert deadline_scan() == 1
    reminder = Notification.objects.get(recipient=users["handler"], kind="reminder", rule_id="TOL-17")
    assert "还剩 3 天" in reminder.title
