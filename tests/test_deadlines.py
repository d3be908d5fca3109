"""The one deadline mechanism (architecture.md): REV-5 reminders on day 20 and 27 after closing,
an overdue notice after day 30 to the handler and the department's legal office, each step sent
once, extensions, e-mail and the inbox."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail

from cases import services as case_services
from tests.factories import UserFactory, category, certified_officer
from xian_enforcement.errors import DomainError
from xian_enforcement.notices import selectors, services
from xian_enforcement.notices.choices import DeadlineStatus, NotificationKind
from xian_enforcement.notices.models import Deadline, DeadlineExtension, Notification
from xian_enforcement.notices.tasks import scan_deadlines
from xian_enforcement.org.choices import Role

pytestmark = pytest.mark.django_db

CLOSED = datetime.date(2026, 4, 1)
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def day(n: int) -> datetime.date:
    """The n-th day after closing."""
    return CLOSED + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def _fast_hasher_and_mail(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def handler(users):
    return users[Role.HANDLER.value]


@pytest.fixture
def case(dept, users, handler):
    """A file of ``dept`` closed on CLOSED, with its REV-5 transfer deadline open."""
    return case_services.case_file_create(
        department=dept,
        data={
            "number": "隰市监罚〔2026〕7号",
            "category": category(),
            "title": "无证经营案",
            "party_name": "某商店",
            "main_handler": handler.officer,
            "filed_on": datetime.date(2026, 3, 2),
            "closed_on": CLOSED,
        },
        co_handlers=[certified_officer(dept)],
    )


@pytest.fixture
def deadline(case) -> Deadline:
    return Deadline.objects.get(kind=case_services.REV5_KIND, object_id=case.pk)


@pytest.fixture
def other_legal(other_dept):
    """Legal staff of another department: never told about this department's deadlines."""
    return [
        certified_officer(other_dept, roles=[Role.LEGAL_HEAD.value]).user,
        certified_officer(other_dept, roles=[Role.LEGAL_OFFICER.value]).user,
    ]


def recipients(**filters) -> list[int]:
    return sorted(Notification.objects.filter(**filters).values_list("recipient_id", flat=True))


# --- the steps -----------------------------------------------------------------------------


def test_rev_5_steps_are_day_20_day_27_and_the_day_after_due(deadline):
    assert deadline.steps() == [day(20), day(27), day(31)]
    assert deadline.compute_next_action() == day(20)


def test_rev_5_nothing_is_sent_before_day_20(deadline):
    for n in (0, 1, 10, 19):
        assert services.deadline_scan(today=day(n)) == 0
    assert not Notification.objects.exists()
    deadline.refresh_from_db()
    assert deadline.stage == 0


def test_rev_5_day_20_sends_one_reminder_to_the_handler(deadline, handler, users):
    assert services.deadline_scan(today=day(20)) == 1
    notification = Notification.objects.get()
    assert notification.recipient == handler
    assert notification.kind == NotificationKind.REMINDER
    assert notification.rule_id == "REV-5"
    assert notification.deadline == deadline
    assert "还剩 10 天" in notification.title
    assert notification.url == deadline.url
    deadline.refresh_from_db()
    assert deadline.stage == 1
    assert deadline.next_action_on == day(27)


def test_rev_5_scanning_twice_the_same_day_sends_nothing_more(deadline):
    assert services.deadline_scan(today=day(20)) == 1
    assert services.deadline_scan(today=day(20)) == 0
    assert services.deadline_scan(today=day(21)) == 0
    assert Notification.objects.count() == 1


def test_rev_5_day_27_sends_the_second_reminder(deadline, handler):
    services.deadline_scan(today=day(20))
    assert services.deadline_scan(today=day(26)) == 0
    assert services.deadline_scan(today=day(27)) == 1
    assert services.deadline_scan(today=day(27)) == 0
    reminders = Notification.objects.filter(kind=NotificationKind.REMINDER).order_by("id")
    assert [n.recipient_id for n in reminders] == [handler.pk, handler.pk]
    assert "还剩 3 天" in reminders[1].title


def test_rev_5_nothing_on_the_due_date_itself(deadline):
    services.deadline_scan(today=day(20))
    services.deadline_scan(today=day(27))
    assert services.deadline_scan(today=day(30)) == 0
    assert not Notification.objects.filter(kind=NotificationKind.OVERDUE).exists()


def test_rev_5_day_31_overdue_notice_goes_to_handler_and_own_legal_office_only(deadline, handler, users, other_legal):
    services.deadline_scan(today=day(20))
    services.deadline_scan(today=day(27))
    assert services.deadline_scan(today=day(31)) == 1
    expected = sorted(
        [handler.pk, users[Role.LEGAL_HEAD.value].pk, users[Role.LEGAL_OFFICER.value].pk],
    )
    assert recipients(kind=NotificationKind.OVERDUE) == expected
    for outsider in [*other_legal, users[Role.UNIT_HEAD.value], users[Role.BUREAU_STAFF.value]]:
        assert not Notification.objects.filter(recipient=outsider).exists()
    overdue = Notification.objects.filter(kind=NotificationKind.OVERDUE).first()
    assert overdue.title.startswith("【逾期】")
    assert day(30).isoformat() in overdue.title
    deadline.refresh_from_db()
    assert deadline.stage == 3
    assert deadline.next_action_on is None
    assert deadline.status == DeadlineStatus.OPEN  # still owed; the overdue list shows it
    # The overdue notice goes out once.
    assert services.deadline_scan(today=day(40)) == 0
    assert Notification.objects.filter(kind=NotificationKind.OVERDUE).count() == 3


def test_rev_5_first_scan_on_day_35_sends_only_the_overdue_notice(deadline, handler):
    assert services.deadline_scan(today=day(35)) == 1
    assert not Notification.objects.filter(kind=NotificationKind.REMINDER).exists()
    assert handler.pk in recipients(kind=NotificationKind.OVERDUE)
    deadline.refresh_from_db()
    assert deadline.stage == 3
    assert services.deadline_scan(today=day(35)) == 0


def test_rev_5_first_scan_on_day_28_skips_the_stale_first_reminder(deadline):
    assert services.deadline_scan(today=day(28)) == 1
    notification = Notification.objects.get()
    assert "还剩 2 天" in notification.title
    deadline.refresh_from_db()
    assert deadline.stage == 2
    assert deadline.next_action_on == day(31)


def test_rev_5_met_deadline_sends_nothing(case, deadline, handler):
    case_services.case_file_transfer_for_review(case_file=case, by_user=handler, on=day(5))
    for n in (20, 27, 31, 35):
        assert services.deadline_scan(today=day(n)) == 0
    assert not Notification.objects.exists()


def test_rev_5_transfer_after_a_reminder_stops_further_notices(case, deadline, handler):
    services.deadline_scan(today=day(20))
    case_services.case_file_transfer_for_review(case_file=case, by_user=handler, on=day(22))
    assert services.deadline_scan(today=day(27)) == 0
    assert services.deadline_scan(today=day(31)) == 0
    assert Notification.objects.count() == 1


def test_rev_5_cancelled_deadline_sends_nothing(case, deadline, handler):
    case_services.case_file_update(case_file=case, data={"closed_on": None}, co_handlers=list(case.co_handlers.all()))
    assert services.deadline_scan(today=day(35)) == 0
    assert not Notification.objects.exists()


def test_rev_5_moved_closing_date_restarts_the_reminders(case, deadline, handler):
    services.deadline_scan(today=day(20))
    case_services.case_file_update(
        case_file=case, data={"closed_on": day(10)}, co_handlers=list(case.co_handlers.all())
    )
    assert services.deadline_scan(today=day(21)) == 0
    assert services.deadline_scan(today=day(30)) == 1  # day 20 after the new closing date
    assert Notification.objects.filter(kind=NotificationKind.REMINDER).count() == 2


def test_inactive_handler_gets_nothing(deadline, handler):
    handler.is_active = False
    handler.save()
    assert services.deadline_scan(today=day(20)) == 1  # the step is taken
    assert not Notification.objects.exists()


# --- extensions ----------------------------------------------------------------------------


def test_extension_after_overdue_allows_a_new_overdue_notice(deadline, handler, users):
    services.deadline_scan(today=day(31))
    assert Notification.objects.filter(recipient=handler, kind=NotificationKind.OVERDUE).count() == 1
    new_due = day(45)
    services.deadline_extend(
        deadline=deadline, new_due_date=new_due, reason="案情复杂，经批准延长", granted_by=users["legal_head"]
    )
    deadline.refresh_from_db()
    assert deadline.due_date == new_due
    assert deadline.stage == 2
    assert deadline.next_action_on == day(46)
    ext = DeadlineExtension.objects.get(deadline=deadline)
    assert (ext.old_due_date, ext.new_due_date) == (day(30), new_due)
    assert ext.granted_by == users["legal_head"]

    assert services.deadline_scan(today=day(32)) == 0
    assert services.deadline_scan(today=day(45)) == 0
    assert services.deadline_scan(today=day(46)) == 1
    overdue = Notification.objects.filter(recipient=handler, kind=NotificationKind.OVERDUE).order_by("id")
    assert overdue.count() == 2
    assert new_due.isoformat() in overdue[1].title
    assert services.deadline_scan(today=day(46)) == 0


def test_extension_before_any_step_keeps_the_reminders(deadline, handler):
    services.deadline_extend(deadline=deadline, new_due_date=day(40), reason="延期", granted_by=handler)
    assert services.deadline_scan(today=day(20)) == 1
    assert services.deadline_scan(today=day(31)) == 1  # day 27 reminder skipped, still not overdue
    assert not Notification.objects.filter(kind=NotificationKind.OVERDUE).exists()
    assert services.deadline_scan(today=day(41)) == 1
    assert Notification.objects.filter(kind=NotificationKind.OVERDUE).exists()


@pytest.mark.parametrize("offset", [0, -1])
def test_extension_must_be_later(deadline, handler, offset):
    with pytest.raises(DomainError):
        services.deadline_extend(deadline=deadline, new_due_date=day(30 + offset), reason="理由", granted_by=handler)
    deadline.refresh_from_db()
    assert deadline.due_date == day(30)
    assert not DeadlineExtension.objects.exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_extension_needs_a_reason(deadline, handler, reason):
    with pytest.raises(DomainError):
        services.deadline_extend(deadline=deadline, new_due_date=day(40), reason=reason, granted_by=handler)
    deadline.refresh_from_db()
    assert deadline.due_date == day(30)
    assert not DeadlineExtension.objects.exists()


def test_met_deadline_cannot_be_extended(case, deadline, handler):
    case_services.case_file_transfer_for_review(case_file=case, by_user=handler, on=day(3))
    with pytest.raises(DomainError):
        services.deadline_extend(deadline=deadline, new_due_date=day(40), reason="理由", granted_by=handler)


# --- e-mail --------------------------------------------------------------------------------


def test_reminder_sends_exactly_one_mail_and_records_it(deadline, handler):
    services.deadline_scan(today=day(20))
    services.deadline_scan(today=day(20))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [handler.email]
    assert "REV-5" in message.subject
    assert deadline.url in message.body
    assert Notification.objects.get().emailed_at is not None


def test_user_without_email_gets_inbox_copy_only(deadline, handler):
    handler.email = ""
    handler.save()
    services.deadline_scan(today=day(20))
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is None


def test_mail_failure_keeps_the_inbox_copy(deadline, handler, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(services, "send_mail", broken)
    assert services.deadline_scan(today=day(20)) == 1
    notification = Notification.objects.get()
    assert notification.emailed_at is None
    assert services.deadline_scan(today=day(20)) == 0


# --- frozen time ---------------------------------------------------------------------------


def test_scan_without_date_uses_today_in_the_county_time_zone(deadline, handler):
    # 2026-04-20 23:30 UTC is already 04-21 (day 20) in Shanghai.
    with time_machine.travel(datetime.datetime(2026, 4, 20, 23, 30, tzinfo=datetime.UTC), tick=False):
        assert services.deadline_scan() == 1
    notification = Notification.objects.get()
    assert notification.created_at == datetime.datetime(2026, 4, 20, 23, 30, tzinfo=datetime.UTC)


def test_scan_without_date_sends_nothing_the_day_before(deadline):
    with time_machine.travel(datetime.datetime(2026, 4, 20, 23, 30, tzinfo=TZ), tick=False):
        assert services.deadline_scan() == 0
    assert not Notification.objects.exists()


def test_periodic_task_runs_the_scan(deadline, handler):
    with time_machine.travel(datetime.datetime(2026, 5, 2, 9, 0, tzinfo=TZ), tick=False):
        assert scan_deadlines() == 1
        assert scan_deadlines() == 0
    assert handler.pk in recipients(kind=NotificationKind.OVERDUE)


def test_chip_colour_follows_days_left(deadline):
    with time_machine.travel(datetime.datetime(2026, 4, 10, 9, 0, tzinfo=TZ), tick=False):
        assert deadline.chip_colour == "success"
        assert deadline.days_left() == 21
    with time_machine.travel(datetime.datetime(2026, 4, 24, 9, 0, tzinfo=TZ), tick=False):
        assert deadline.chip_colour == "warning"
    with time_machine.travel(datetime.datetime(2026, 5, 2, 9, 0, tzinfo=TZ), tick=False):
        assert deadline.chip_colour == "danger"
        assert deadline.is_overdue


# --- inbox ---------------------------------------------------------------------------------


def test_unread_count_and_mark_read_only_for_own_notifications(deadline, handler, users):
    services.deadline_scan(today=day(20))
    services.deadline_scan(today=day(31))
    legal = users[Role.LEGAL_HEAD.value]
    assert selectors.unread_count(handler) == 2
    assert selectors.unread_count(legal) == 1
    own = Notification.objects.filter(recipient=handler).order_by("id").first()

    assert services.notification_mark_read(user=legal, notification_id=own.pk) == 0
    own.refresh_from_db()
    assert own.read_at is None
    assert selectors.unread_count(handler) == 2

    assert services.notification_mark_read(user=handler, notification_id=own.pk) == 1
    own.refresh_from_db()
    assert own.read_at is not None
    assert selectors.unread_count(handler) == 1
    first_read = own.read_at
    assert services.notification_mark_read(user=handler, notification_id=own.pk) == 0
    own.refresh_from_db()
    assert own.read_at == first_read  # the proof of reading is not overwritten

    assert services.notification_mark_all_read(user=handler) == 1
    assert selectors.unread_count(handler) == 0
    assert selectors.unread_count(legal) == 1
    assert list(selectors.notifications_for(legal)) == list(Notification.objects.filter(recipient=legal))


def test_notify_is_idempotent_per_dedupe_key():
    user = UserFactory()
    first = services.notify(recipient=user, title="通知", dedupe_key="k-1")
    second = services.notify(recipient=user, title="通知", dedupe_key="k-1")
    assert first is not None
    assert second is None
    assert Notification.objects.filter(recipient=user).count() == 1
    assert len(mail.outbox) == 1
