"""Admin: the catalogue, which district administrators edit (事项准入/退出: withdrawing an
item keeps it, with its history); applications are read here and change only through the
desk's flow, so every step is logged."""
from django.contrib import admin

from gis_core.admin_base import PersonalFieldsAdminMixin, ReadOnlyAdminMixin, ScopedAdmin
from services.models import Application, ApplicationStep, Material, ServiceItem


class MaterialInline(admin.TabularInline):
    model = Material
    fields = ["name", "form", "copies", "required", "condition", "blank_form", "sort_order"]
    extra = 0


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "business_area", "department", "accepting_level", "deciding_level",
                    "promised_days", "legal_days", "status"]
    list_filter = ["status", "business_area", "department", "accepting_level", "deciding_level"]
    search_fields = ["code", "name"]
    list_select_related = ["department"]
    inlines = [MaterialInline]


class ApplicationStepInline(admin.TabularInline):
    model = ApplicationStep
    fields = ["at", "action", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, PersonalFieldsAdminMixin, ScopedAdmin):
    list_display = ["number", "item", "applicant_name", "state", "area", "department", "due_date", "received_at"]
    list_filter = ["state", "item__business_area", "department"]
    search_fields = ["number", "applicant_name"]
    list_select_related = ["item", "area", "department"]
    inlines = [ApplicationStepInline]
