"""No 500s: editing a transferred case file and clearing 结案日期 shows a form error
(REV-5: a file transferred for self-review stays closed), instead of a server error."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases.models import CaseFile
from cases.tests.test_views import _form
from tests.factories import CaseFileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def transferred(users, dept):
    handler = users["handler"].officer
    return CaseFileFactory(
        department=dept,
        main_handler=handler,
        filed_on=datetime.date(2026, 3, 1),
        closed_on=datetime.date(2026, 4, 1),
        transferred_for_review_on=datetime.date(2026, 4, 10),
    )


def test_rev_5_clearing_closing_date_of_transferred_file_is_a_form_error(client, users, transferred):
    client.force_login(users["legal_officer"])
    co = transferred.co_handlers.first()
    data = _form(users["handler"].officer, co, number=transferred.number, decided_on="2026-03-20", closed_on="")
    response = client.post(reverse("cases:edit", args=[transferred.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "closed_on" in errors
    assert "结案日期不能清除" in errors["closed_on"][0]
    assert CaseFile.objects.get(pk=transferred.pk).closed_on == datetime.date(2026, 4, 1)


def test_rev_5_closing_after_the_transfer_date_is_a_form_error(client, users, transferred):
    client.force_login(users["legal_officer"])
    co = transferred.co_handlers.first()
    data = _form(
        users["handler"].officer, co, number=transferred.number, decided_on="2026-03-20", closed_on="2026-04-20"
    )
    response = client.post(reverse("cases:edit", args=[transferred.pk]), data)
    assert response.status_code == 200
    assert "不能晚于移交自查日期" in response.context["form"].errors["closed_on"][0]
