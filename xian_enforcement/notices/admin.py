from django.contrib import admin

from .models import Deadline, Notification


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    list_display = ("rule_id", "title", "department", "due_date", "status", "stage")
    list_filter = ("rule_id", "status")
    readonly_fields = ("stage", "next_action_on")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "title", "kind", "created_at", "emailed_at", "read_at")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        return False
