"""Administration of checklist templates (REV-13, REV-14): a version in use by a review is
read-only; the action "复制为新版本" creates the next version to edit and activate."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from xian_enforcement.errors import DomainError

from . import services
from .models import ChecklistItem, ChecklistTemplate


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    fields = ["kind", "stage", "order", "text", "points"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.reviews.exists()

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "version", "is_active", "created_at"]
    list_filter = ["category", "is_active"]
    inlines = [ChecklistItemInline]
    actions = ["new_version"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.reviews.exists():
            return ["category", "version", "name"]
        return []

    @admin.action(description=_("复制为新版本（REV-14）"))
    def new_version(self, request, queryset):
        for template in queryset:
            try:
                copy = services.checklist_template_new_version(template=template, by=request.user)
            except DomainError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return
            self.message_user(request, _("已创建 %(t)s，编辑后勾选“启用”。") % {"t": copy})
