"""The statistics room's demo builder (``stats.demo.build``)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import override_settings

from stats import services
from stats.choices import ReportStatus
from stats.models import StatReport, TrainingSession
from xian_enforcement.org import demo as org_demo

pytestmark = pytest.mark.django_db


@override_settings(DEMO_BUILDERS=["cases", "stats"])
def test_demo_builds_training_and_consistent_reports_then_resets():
    with time_machine.travel(datetime.datetime(2026, 7, 5, 2, tzinfo=datetime.UTC), tick=False):
        county = org_demo.build(cases=300)
    assert county.counts["training_sessions"] == 20
    assert county.counts["stat_reports"] == 3 * len(county.departments)
    accepted = StatReport.objects.filter(status=ReportStatus.ACCEPTED).first()
    assert accepted is not None and services.report_errors(accepted) == {}
    assert StatReport.objects.filter(status=ReportStatus.NOT_STARTED).exists()
    org_demo.reset()
    assert not StatReport.objects.exists() and not TrainingSession.objects.exists()
