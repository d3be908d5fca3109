from django.urls import path

from . import views_public

app_name = "public"
urlpatterns = [
    path("certificates/", views_public.certificates, name="certificates"),
]
