from django.contrib import admin

from .models import CaseCategory, CaseFile, PenaltyKind, PowerItem


@admin.register(CaseCategory)
class CaseCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order", "sampling_group", "is_active")


@admin.register(PenaltyKind)
class PenaltyKindAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "severity", "is_active")


@admin.register(PowerItem)
class PowerItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department", "category", "responsible_post", "is_active")
    list_filter = ("category", "department")
    search_fields = ("code", "name")


@admin.register(CaseFile)
class CaseFileAdmin(admin.ModelAdmin):
    """Read-only here: case files are written through the case pages so every rule applies."""

    list_display = ("number", "title", "department", "category", "status", "filed_on", "closed_on")
    list_filter = ("category", "status", "department")
    search_fields = ("number", "title")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
