"""Ledger (台账) import and power-list (权力清单) pages."""

from django.urls import path

from . import views_io

urlpatterns = [
    path("ledger/template/", views_io.ledger_template, name="ledger_template"),
    path("ledger/import/", views_io.ledger_import, name="ledger_import"),
    path("ledger/import/<uuid:pk>/", views_io.ledger_job, name="ledger_job"),
    path("ledger/import/<uuid:pk>/progress/", views_io.ledger_job_progress, name="ledger_job_progress"),
    path("powers/", views_io.power_list, name="power_list"),
    path("powers/export/", views_io.power_export, name="power_export"),
    path("powers/template/", views_io.power_template, name="power_template"),
    path("powers/import/", views_io.power_import, name="power_import"),
]
