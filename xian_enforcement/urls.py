"""URL map. Stable addresses (other work and outside checks rely on them): /accounts/login/,
/cases/, /reviews/, /tolerance/, /statistics/ (dashboard at /statistics/dashboard/),
/public/certificates/, /admin/."""

from django.contrib import admin
from django.urls import include, path

from xian_enforcement.org import views as org_views

urlpatterns = [
    path("", org_views.home, name="home"),
    path("accounts/", include("xian_enforcement.org.urls_accounts")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("inbox/", include("xian_enforcement.notices.urls")),
    path("audit/", include("xian_enforcement.audit.urls")),
    path("org/", include("xian_enforcement.org.urls")),
    path("manage/", include("xian_enforcement.org.urls_manage")),
    path("cases/", include("cases.urls")),
    path("reviews/", include("reviews.urls")),
    path("tolerance/", include("tolerance.urls")),
    path("statistics/", include("stats.urls")),
    path("public/", include("stats.urls_public")),
    path("jobs/", include("xian_enforcement.jobs.urls")),
    path("admin/", admin.site.urls),
]
