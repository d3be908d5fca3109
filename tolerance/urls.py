from django.urls import path

from . import views

app_name = "tolerance"
urlpatterns = [
    path("", views.index, name="index"),
]
