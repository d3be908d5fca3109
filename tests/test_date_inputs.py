"""Prefilled dates survive in the browser (issue 13, "workflow defects"): an ``<input
type="date">`` accepts only ISO ``yyyy-mm-dd`` in its ``value`` and drops ``2026/01/01``, which
zh-hans wrote; the form then failed with "必填". Every date input renders ISO in both languages."""

from __future__ import annotations

import datetime
import re

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

from reviews.forms import CampaignForm
from tolerance import forms as tolerance_forms
from tolerance.tests.factories import decide, investigating
from xian_enforcement.widgets import DateInput

DAY = datetime.date(2026, 1, 1)


def _values(html: str, name: str) -> list[str]:
    tags = [t for t in re.findall(r"<input[^>]*>", html) if f'name="{name}"' in t]
    assert tags, f"no input named {name}"
    return [re.search(r'value="([^"]*)"', t).group(1) for t in tags]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_plain_django_date_input_renders_iso_in_both_languages(language):
    """The format modules put ISO first, so even a plain ``forms.DateInput`` (stats' training
    form still uses one) writes ``2026-01-01``."""
    with translation.override(language):
        html = forms.DateInput(attrs={"type": "date"}).render("d", DAY)
    assert 'value="2026-01-01"' in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_shared_date_widget_is_iso_and_type_date(language):
    with translation.override(language):
        html = DateInput().render("d", DAY)
    assert 'type="date"' in html and 'value="2026-01-01"' in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_typed_slash_dates_are_still_accepted(language):
    with translation.override(language):
        field = forms.DateField()
        assert field.clean("2026-01-01") == DAY
    with translation.override("zh-hans"):
        assert forms.DateField().clean("2026/01/01") == DAY


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_campaign_form_prefills_iso_dates(language):
    with translation.override(language):
        html = str(CampaignForm())
    today = timezone.localdate()
    assert _values(html, "period_start") == [f"{today.year}-01-01"]
    assert _values(html, "period_end") == [today.isoformat()]
    assert _values(html, "seed_date") == [today.isoformat()]


@pytest.mark.parametrize(
    "form_class",
    [
        tolerance_forms.CorrectionIssueForm,
        tolerance_forms.ExtensionRequestForm,
        tolerance_forms.ClarificationFormForm,
    ],
)
def test_tolerance_date_fields_render_iso(form_class):
    with translation.override("zh-hans"):
        form = form_class(initial=dict.fromkeys(form_class.base_fields, DAY))
        html = str(form)
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.DateField):
            assert _values(html, name) == ["2026-01-01"]


@pytest.mark.django_db
def test_inspection_creation_page_shows_its_prefilled_dates(client, users):
    client.force_login(users["bureau_staff"])
    html = client.get(reverse("reviews:campaigns"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    today = timezone.localdate()
    assert _values(html, "period_start") == [f"{today.year}-01-01"]
    assert _values(html, "seed_date") == [today.isoformat()]


@pytest.mark.django_db
def test_correction_order_page_shows_its_prefilled_due_date(client, users):
    decision = decide(users, investigating(users))
    client.force_login(users["legal_officer"])
    html = client.get(reverse("tolerance:correction", args=[decision.correction.pk])).content.decode()
    (value,) = _values(html, "due_date")
    assert datetime.date.fromisoformat(value) > timezone.localdate()
