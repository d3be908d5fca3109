"""Factories of the statistics room, on top of ``tests.factories``."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from stats.choices import Period, ReportStatus
from stats.models import StatReport, TrainingAttendance, TrainingSession
from tests.factories import DepartmentFactory


class StatReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatReport

    department = factory.SubFactory(DepartmentFactory)
    year = 2026
    period = Period.HALF_YEAR
    status = ReportStatus.NOT_STARTED


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession
        skip_postgeneration_save = True

    organiser = factory.SubFactory(DepartmentFactory)
    title = factory.Sequence(lambda n: f"行政处罚法专题培训{n}")
    content = "新修订《行政处罚法》要点"
    held_on = datetime.date(2026, 3, 15)
    hours = Decimal("4.0")

    @factory.post_generation
    def people(self, create, extracted, **kwargs):
        if create and extracted:
            TrainingAttendance.objects.bulk_create([TrainingAttendance(session=self, officer=o) for o in extracted])
