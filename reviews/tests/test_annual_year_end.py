"""REV-8 at year end: the named beat entry, the task that assesses every handler for the year
just ended and applies the consequences once, the notice to the officer, the public list and
the handler picker, reinstatement, and the rule shown per handler."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from cases.services import validate_handlers
from reviews import assessment
from reviews.choices import Consequence
from reviews.models import HandlerAssessment
from reviews.tasks import assess_handlers_year_end
from tests.factories import certified_officer
from xian_enforcement.errors import DomainError
from xian_enforcement.notices.models import Notification
from xian_enforcement.org.choices import CertificateStatus
from xian_enforcement.org.models import CertificateStatusChange
from xian_enforcement.org.selectors import assignable_officers

from .test_assessment import unqualified
from .test_views import login

pytestmark = pytest.mark.django_db

NEW_YEAR = datetime.datetime(2027, 1, 1, 2, 30, tzinfo=datetime.UTC)


def handler_with(dept, reviewer, *, cases: int, bad: int):
    """An officer with ``cases`` main cases closed in 2026, ``bad`` of them unqualified."""
    from .factories import reviewable_file

    officer = certified_officer(dept, name=f"主办{cases}件{bad}不合格")
    files = [reviewable_file(dept, main_handler=officer) for _ in range(cases)]
    for f in files[:bad]:
        unqualified(f, reviewer)
    return officer


def public_names(client) -> str:
    return client.get(reverse("public:certificates")).content.decode()


def test_rev_8_year_end_beat_entry_exists():
    from django_celery_beat.models import PeriodicTask

    entry = PeriodicTask.objects.select_related("crontab").get(name="rev8-year-end-assessment")
    assert entry.task == "reviews.assess_handlers_year_end" and entry.enabled
    cron = entry.crontab
    assert (cron.minute, cron.hour, cron.day_of_month, cron.month_of_year) == ("30", "2", "1", "1")


def test_rev_8_year_end_task_assesses_the_year_just_ended_and_applies_consequences_once(users, dept, client):
    suspended = handler_with(dept, users["legal_officer"], cases=6, bad=3)
    criticised = handler_with(dept, users["legal_officer"], cases=4, bad=1)
    clean = handler_with(dept, users["legal_officer"], cases=2, bad=0)
    assert suspended.name in public_names(client)
    with time_machine.travel(NEW_YEAR, tick=False):
        assert assess_handlers_year_end() == 3
        assert assess_handlers_year_end() == 0  # idempotent: one effect
    results = {a.officer_id: a for a in HandlerAssessment.objects.filter(year=2026)}
    assert results[suspended.pk].consequence == Consequence.SUSPENDED
    assert results[criticised.pk].consequence == Consequence.CRITICISM
    assert results[clean.pk].consequence == Consequence.NONE
    assert results[suspended.pk].assessed_by is None  # the scheduled run, not a person
    assert not HandlerAssessment.objects.exclude(year=2026).exists()

    # Suspension: once, with a notice to the officer naming the rule applied.
    changes = CertificateStatusChange.objects.filter(certificate__officer=suspended, rule_id="REV-8")
    assert changes.count() == 1 and changes.get().to_status == CertificateStatus.SUSPENDED
    notice = Notification.objects.get(recipient=suspended.user, rule_id="REV-8")
    assert "暂停执法资格" in notice.title and "主办 6 件：1/2/3" in notice.body
    assert Notification.objects.filter(recipient=criticised.user, rule_id="REV-8").count() == 1
    assert not Notification.objects.filter(recipient=clean.user).exists()

    # The suspended officer leaves the public list and cannot be set as handler.
    assert suspended.name not in public_names(client)
    assert criticised.name in public_names(client)
    today = datetime.date.today()
    assert suspended not in assignable_officers(dept.pk, today)
    with pytest.raises(DomainError):
        validate_handlers(department_id=dept.pk, main_handler=suspended, co_handlers=[clean], on=today)

    # Reinstatement: a recorded passed re-assessment restores the certificate, with a notice.
    assessment.handler_reassessment_pass(assessment=results[suspended.pk], by=users["bureau_staff"])
    assert suspended.certificates.get().status == CertificateStatus.ACTIVE
    assert suspended.name in public_names(client)
    assert suspended in assignable_officers(dept.pk, today)
    assert Notification.objects.filter(recipient=suspended.user, title__contains="已恢复").count() == 1
    with time_machine.travel(NEW_YEAR, tick=False):
        assert assess_handlers_year_end() == 0  # a later run does not suspend again
    assert suspended.certificates.get().status == CertificateStatus.ACTIVE


def test_rev_8_year_end_task_leaves_a_handler_assessed_by_a_person_alone(users, dept):
    officer = handler_with(dept, users["legal_officer"], cases=5, bad=3)
    manual = assessment.handler_assess(officer=officer, year=2026, by=users["bureau_staff"])
    with time_machine.travel(NEW_YEAR, tick=False):
        assert assess_handlers_year_end() == 0
    assert HandlerAssessment.objects.get(officer=officer, year=2026).assessed_by == users["bureau_staff"]
    assert CertificateStatusChange.objects.filter(certificate__officer=officer).count() == 1
    assert Notification.objects.filter(recipient=officer.user, rule_id="REV-8").count() == 1
    assert manual.consequence == Consequence.SUSPENDED


@pytest.mark.parametrize(
    ("cases", "text", "levels"),
    [
        (1, "主办 1 件：1/2/3", (1, 2, 3)),
        (10, "主办 10 件：1/2/3", (1, 2, 3)),
        (11, "主办 11 件，2 档：2/4/6", (2, 4, 6)),
        (25, "主办 25 件，3 档：3/6/9", (3, 6, 9)),
    ],
)
def test_rev_8_thresholds_up_to_ten_cases_and_scaled_above(cases, text, levels):
    t = assessment.thresholds_for(cases)
    assert t.short == text
    assert (t.criticism, t.no_award, t.suspend) == levels


def test_rev_8_thresholds_not_scaled_when_configured_so(settings):
    settings.RULES = {**settings.RULES, "REV_8_SCALE_ABOVE": False}
    assert assessment.thresholds_for(25).short == "主办 25 件，不折算：1/2/3"


def test_rev_8_page_shows_the_rule_applied_per_handler_not_a_fixed_example(client, users, dept):
    few = handler_with(dept, users["legal_officer"], cases=3, bad=1)
    many = handler_with(dept, users["legal_officer"], cases=12, bad=3)
    login(client, users["bureau_staff"])
    html = client.get(reverse("reviews:assessment") + "?year=2026").content.decode()
    rows = {
        o: html[html.index(o.name) : html.index("</tr>", html.index(o.name))] for o in (few, many) if o.name in html
    }
    assert "主办 3 件：1/2/3" in rows[few]
    assert "主办 12 件，2 档：2/4/6" in rows[many]
    # The header states the rule once, without a worked example for one made-up case count.
    start = html.index('id="handler-heading"')
    header = html[start : html.index("<table", start)]
    assert "每 10 件" in header and "主办 20 件" not in header and "折算 2 档" not in header
