from django.urls import include, path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("export/", views.case_export, name="export"),
    path("new/", views.case_create, name="create"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/amend/", views.case_amend, name="amend"),
    path("<int:pk>/transfer/", views.case_transfer, name="transfer"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    # Ledger (台账) import and power lists (权力清单): cases/urls_io.py
    path("", include("cases.urls_io")),
]
