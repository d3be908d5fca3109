"""Remove a user's TOTP devices (lost phone): they enrol again at their next sign-in."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from xian_enforcement.audit.choices import EventType
from xian_enforcement.audit.services import audit_event_record


class Command(BaseCommand):
    help = "删除用户的动态口令设备（手机丢失时）；该用户下次登录时重新绑定。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", default="", help="原因（记入审计日志）")

    def handle(self, *args, username: str, reason: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在。")
        count, _detail = TOTPDevice.objects.filter(user=user).delete()
        audit_event_record(
            event_type=EventType.ACCOUNT,
            username="manage.py",
            obj=f"user#{user.pk} {user.username}",
            detail={"action": "otp_reset", "devices": count, "reason": reason},
        )
        self.stdout.write(f"{username}: {count} device(s) removed; the user enrols again at next sign-in.")
