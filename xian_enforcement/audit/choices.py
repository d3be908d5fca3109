from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出")
    PERMISSION_DENIED = "permission_denied", _("拒绝访问")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    DOWNLOAD = "download", _("下载附件")
    STATE_CHANGE = "state_change", _("状态变更")
    LOCKOUT = "lockout", _("账户锁定")
    PASSWORD_CHANGED = "password_changed", _("修改密码")
    OTP_ENROLLED = "otp_enrolled", _("绑定动态口令")
    OTP_FAILED = "otp_failed", _("动态口令错误")
    UNMASK = "unmask", _("查看个人信息")
    ACCOUNT = "account", _("账户管理")
    GRANT = "grant", _("角色授权")
    AUDIT_PURGE = "audit_purge", _("审计清理")
    RATE_LIMITED = "rate_limited", _("请求过于频繁")


class Outcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")
