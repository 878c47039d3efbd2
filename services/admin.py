"""Admin: the service centres with their desks and weekly hours (reference data with no
rule beyond the models' own, saved by the ModelAdmin, scoped to the user's areas); the catalogue, which district administrators edit (事项准入/退出: withdrawing an
item keeps it, with its history); applications are read here and change only through the
desk's flow, so every step is logged."""
from django.contrib import admin

from gis_core.admin_base import PersonalFieldsAdminMixin, ReadOnlyAdminMixin, ScopedAdmin
from services.models import (
    Application,
    ApplicationStep,
    Appointment,
    Desk,
    Material,
    OpeningHours,
    ServiceCentre,
    ServiceItem,
)


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


class DeskInline(admin.TabularInline):
    model = Desk
    fields = ["number", "name", "items", "active"]
    extra = 0


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    fields = ["weekday", "opens", "closes"]
    extra = 0


@admin.register(ServiceCentre)
class ServiceCentreAdmin(ScopedAdmin):
    list_display = ["name", "area", "address", "phone", "slot_minutes", "active"]
    list_filter = ["active"]
    search_fields = ["name", "address"]
    list_select_related = ["area"]
    inlines = [DeskInline, OpeningHoursInline]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdminMixin, PersonalFieldsAdminMixin, ScopedAdmin):
    """Bookings change only through the booking page and the daily list (marks, cancels)."""

    list_display = ["number", "starts_at", "centre", "desk", "item", "name", "channel", "state"]
    list_filter = ["state", "channel", "centre"]
    search_fields = ["number", "name"]
    list_select_related = ["centre", "desk__centre", "item"]
