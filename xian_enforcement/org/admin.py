from django.contrib import admin

from .models import Certificate, CertificateStatusChange, Department, Officer, OrgUnit, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent")


class OrgUnitInline(admin.TabularInline):
    model = OrgUnit
    extra = 0


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "region", "code", "order")
    list_filter = ("kind", "region")
    search_fields = ("name", "short_name", "code")
    inlines = [OrgUnitInline]


class CertificateInline(admin.TabularInline):
    model = Certificate
    extra = 0
    readonly_fields = ("status", "status_reason", "status_changed_on")


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ("name", "department", "post", "is_enforcement_officer")
    list_filter = ("department__region", "department", "is_enforcement_officer")
    search_fields = ("name", "user__username")
    exclude = ("id_number",)  # personal data: shown masked, changed through a service
    readonly_fields = ("id_number_masked",)
    raw_id_fields = ("user",)
    inlines = [CertificateInline]


@admin.register(CertificateStatusChange)
class CertificateStatusChangeAdmin(admin.ModelAdmin):
    list_display = ("certificate", "from_status", "to_status", "reason", "changed_on", "changed_by")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
