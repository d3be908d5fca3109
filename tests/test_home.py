"""The home page is a to-do list per role (ux.md): overdue and due-soon deadlines with their rule
and a button to the action, and the department's figures."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from cases.services import _sync_rev5_deadline
from tests.factories import CaseFileFactory


@pytest.mark.django_db
@time_machine.travel(datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_handler_sees_overdue_and_due_soon_rev_5_items(client, users, dept):
    handler = users["handler"].officer
    overdue = CaseFileFactory(department=dept, main_handler=handler, closed_on=datetime.date(2026, 4, 1))
    soon = CaseFileFactory(department=dept, main_handler=handler, closed_on=datetime.date(2026, 4, 25))
    later = CaseFileFactory(department=dept, main_handler=handler, closed_on=datetime.date(2026, 5, 15))
    for case in (overdue, soon, later):
        _sync_rev5_deadline(case)
    client.force_login(users["handler"])
    html = client.get(reverse("home")).content.decode()
    assert overdue.number in html
    assert soon.number in html
    assert later.number not in html  # due 14 June: not within 7 days
    assert "逾期 19 天" in html
    assert "剩 5 天" in html
    assert "REV-5" in html
    assert reverse("cases:detail", args=[overdue.pk]) in html


@pytest.mark.django_db
def test_other_department_deadlines_do_not_show(client, users, dept, other_dept):
    foreign = CaseFileFactory(department=other_dept, closed_on=datetime.date(2020, 1, 1))
    _sync_rev5_deadline(foreign)
    client.force_login(users["legal_officer"])
    assert foreign.number not in client.get(reverse("home")).content.decode()
    client.force_login(users["bureau_staff"])
    assert foreign.number in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["handler", "legal_officer", "leader", "bureau_staff", "sysadmin", "nobody"])
def test_home_renders_for_every_role(client, users, role):
    client.force_login(users[role])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "我的待办" in response.content.decode()


@pytest.mark.django_db
def test_home_figures_count_this_year(client, users, dept):
    year = datetime.date.today().year
    CaseFileFactory(department=dept, filed_on=datetime.date(year, 1, 5), year=year)
    CaseFileFactory(department=dept, filed_on=datetime.date(year - 1, 1, 5), year=year - 1)
    client.force_login(users["legal_officer"])
    response = client.get(reverse("home"))
    (panel,) = [p for p in response.context["panels"] if p["template"] == "statistics/_home_figures.html"]
    assert panel["figures"]["filed"] == 1


@pytest.mark.django_db
def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_language_switch_to_english(client, users):
    client.force_login(users["legal_officer"])
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in html
    assert "My to-do list" in html  # the compiled English catalogue is used
    assert "我的待办" not in html


@pytest.mark.django_db
def test_idle_timeout_slides_and_expires_after_30_minutes(client, users, password):
    """security.md: 30-minute sliding idle timeout."""
    start = datetime.datetime(2026, 5, 20, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client.post(reverse("login"), {"username": users["legal_officer"].username, "password": password})
        assert client.get(reverse("home")).status_code == 200
        traveller.shift(datetime.timedelta(minutes=25))
        assert client.get(reverse("home")).status_code == 200  # activity pushes the expiry forward
        traveller.shift(datetime.timedelta(minutes=25))
        assert client.get(reverse("home")).status_code == 200  # 50 min after login, 25 idle
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
