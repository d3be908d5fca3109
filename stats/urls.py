from django.urls import path

from . import views, views_reports, views_training

app_name = "statistics"
urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/", views_reports.report_list, name="reports"),
    path("reports/start/", views_reports.report_start, name="report_start"),
    path("reports/county.xlsx", views_reports.county_export, name="county_export"),
    path("reports/<int:pk>/", views_reports.report_detail, name="report"),
    path("reports/<int:pk>/refresh/", views_reports.report_refresh, name="report_refresh"),
    path("reports/<int:pk>/submit/", views_reports.report_submit, name="report_submit"),
    path("reports/<int:pk>/accept/", views_reports.report_accept, name="report_accept"),
    path("reports/<int:pk>/return/", views_reports.report_return, name="report_return"),
    path("reports/<int:pk>/export.xlsx", views_reports.report_export, name="report_export"),
    path("training/", views_training.training_list, name="training"),
    path("training/new/", views_training.training_create, name="training_create"),
    path("training/<int:pk>/", views_training.training_detail, name="training_detail"),
]
