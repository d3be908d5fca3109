from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("officers/", views.officer_list, name="officer_list"),
    path("officers/<int:pk>/", views.officer_detail, name="officer_detail"),
    path("officers/<int:pk>/id-number/", views.officer_unmask, name="officer_unmask"),
    path("certificates/<int:pk>/status/", views.certificate_status, name="certificate_status"),
]
