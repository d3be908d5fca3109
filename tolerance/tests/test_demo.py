"""The demo builder: plausible data for the demo county, through the services; reset removes it."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tolerance.models import Application, Complaint, CorrectionOrder, Decision
from xian_enforcement.org import demo

pytestmark = pytest.mark.django_db


@override_settings(DEMO_BUILDERS=["cases", "tolerance"])
def test_demo_builds_every_state_and_resets():
    county = demo.build(cases=200)
    assert county.counts["tolerance_applications"] >= 20
    statuses = set(Application.objects.values_list("status", flat=True))
    assert {"draft", "submitted", "investigating", "decided", "notified", "closed"} <= statuses
    assert Decision.objects.exists() and CorrectionOrder.objects.filter(status="issued").exists()
    assert Complaint.objects.count() == 2
    handler = Application.objects.filter(officer__user__username="demo_handler")
    assert handler.filter(decision__correction__status="issued").exists()
    demo.reset()
    assert not Application.objects.exists() and not Complaint.objects.exists()
