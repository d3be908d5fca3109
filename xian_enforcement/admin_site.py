"""The admin site is the system administrator's reference-data desk (三员分立, security.md).

- Only a holder of the system administrator role enters (plus the two-factor check the accounts
  middleware makes for every /admin/ request); ``is_staff`` and superusers play no part.
- It shows reference data only: regions, departments and units, officers and certificates, case
  categories, penalty kinds, power items, checklist templates. Accounts and roles are not here
  (accounts: /manage/accounts/, roles: the security administrator's /manage/grants/); neither are
  the audit log, business records or notifications.
- Sign-in is the platform's own login page (lockout, password age, two-factor), not admin's form.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext_lazy as _

# (app_label, model) the system administrator maintains through the admin site.
REFERENCE_MODELS = (
    ("org", "region"),
    ("org", "department"),
    ("org", "orgunit"),
    ("org", "officer"),
    ("org", "certificate"),
    ("cases", "casecategory"),
    ("cases", "penaltykind"),
    ("cases", "poweritem"),
    ("reviews", "checklisttemplate"),
    ("reviews", "checklistitem"),
)
# Registered by Django or third-party apps, but not the system administrator's business.
NOT_ON_THE_ADMIN_SITE = (
    "auth.User",
    "auth.Group",
    "auditlog.LogEntry",
    "cases.CaseFile",
    "notices.Deadline",
    "notices.Notification",
    # two-factor devices (lost phone: manage.py otp_reset) and sign-in lockouts (the security
    # administrator's /manage/grants/): not the system administrator's
    "otp_totp.TOTPDevice",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
)


class XianAdminSite(admin.AdminSite):
    site_header = _("县域行政执法监督平台 · 基础数据")
    site_title = _("基础数据")
    index_title = _("基础数据维护（系统管理员）")

    def has_permission(self, request) -> bool:
        from xian_enforcement.org.choices import Role
        from xian_enforcement.org.scoping import scope_for

        user = request.user
        return bool(user.is_active and user.is_authenticated and scope_for(user).has(Role.SYSADMIN))

    def password_change(self, request, extra_context=None):
        """The platform's own page: complexity, password age and the audit row apply."""
        return redirect("password_change")

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            return redirect("home")
        return redirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}")


class XianAdminConfig(AdminConfig):
    default_site = "xian_enforcement.admin_site.XianAdminSite"

    def ready(self) -> None:
        super().ready()
        from django.apps import apps
        from django.db.models.signals import post_migrate

        post_migrate.connect(sysadmin_permissions_sync, dispatch_uid="xian_sysadmin_permissions")
        for label in NOT_ON_THE_ADMIN_SITE:
            try:
                model = apps.get_model(label)
            except LookupError:
                continue
            if admin.site.is_registered(model):
                admin.site.unregister(model)


def sysadmin_permissions_sync(sender=None, **kwargs) -> None:
    """Give the system administrator group the model permissions of the reference data (and only
    those). Idempotent; runs once at the end of every migrate."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    from xian_enforcement.org.choices import Role

    # post_migrate is sent once per app, in INSTALLED_APPS order: act once, after the last app,
    # when every app's permissions exist.
    last = [c for c in apps.get_app_configs() if c.models_module is not None][-1]
    if sender is not None and sender is not last:
        return
    query = Q(pk__in=[])
    for app_label, model in REFERENCE_MODELS:
        query |= Q(content_type__app_label=app_label, content_type__model=model)
    perms = list(Permission.objects.filter(query))
    if not perms:
        return
    group, _created = Group.objects.get_or_create(name=Role.SYSADMIN)
    group.permissions.set(perms)
