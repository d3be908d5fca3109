from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "xian_enforcement.notices"
    label = "notices"
    verbose_name = _("期限与通知")
