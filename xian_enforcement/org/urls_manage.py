from django.urls import path

from . import views_manage as views

app_name = "manage"
urlpatterns = [
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/new/", views.account_create, name="account_create"),
    path("accounts/<int:pk>/", views.account_edit, name="account_edit"),
    path("accounts/<int:pk>/password/", views.account_reset_password, name="account_reset_password"),
    path("grants/", views.grant_list, name="grants"),
    path("grants/<int:pk>/", views.grant_edit, name="grant_edit"),
    path("grants/<int:pk>/unlock/", views.lockout_clear, name="lockout_clear"),
]
