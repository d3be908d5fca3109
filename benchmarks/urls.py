"""Bench-only urlconf: the project's URLs plus the floor page. Used by ``manage.py bench``
through ``override_settings(ROOT_URLCONF=...)``; never included in the project's urls.py."""

from django.urls import path

from xian_enforcement.urls import urlpatterns as project_urlpatterns

from . import views

urlpatterns = [path("__bench__/floor/", views.floor, name="bench_floor"), *project_urlpatterns]
