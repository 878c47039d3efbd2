from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gis_core.admin_base import PersonalFieldsAdminMixin, ScopedAdmin, ServiceAdmin
from iot import services
from iot.models import Alert, AlertEvent, EmergencyContact, IngestCount, QuarantinedMessage, SafeZone, Terminal


class TerminalForm(forms.ModelForm):
    password = forms.CharField(label=_("MQTT password"), required=False, widget=forms.PasswordInput,
                               help_text=_("Set to let the device connect to the broker; leave empty to keep."))

    class Meta:
        model = Terminal
        fields = ["device_id", "model", "protocol", "sim_number", "person", "status"]


@admin.register(Terminal)
class TerminalAdmin(PersonalFieldsAdminMixin, ServiceAdmin):
    form = TerminalForm
    list_display = ["device_id", "protocol", "person", "status", "battery", "last_seen_at", "zone_state"]
    list_filter = ["protocol", "status"]
    search_fields = ["device_id", "person__name"]
    autocomplete_fields = ["person"]
    readonly_fields = ["last_seen_at", "last_fix_at", "last_accuracy_m", "battery", "signal", "zone_state"]
    list_select_related = ["person"]

    @staticmethod
    def form_data(form) -> dict:
        return {**ServiceAdmin.form_data(form), "password": form.cleaned_data.get("password") or None}

    def service_save(self, request, obj, data, change):
        if change:
            return services.terminal_update(actor=request.user, terminal=obj, **data)
        return services.terminal_register(actor=request.user, **data)

    def service_delete(self, request, obj):
        services.terminal_delete(actor=request.user, terminal=obj)


@admin.register(SafeZone)
class SafeZoneAdmin(ServiceAdmin):
    list_display = ["person", "radius_m"]
    autocomplete_fields = ["person"]
    readonly_fields = ["center"]
    exclude = ["zone"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")

    def service_save(self, request, obj, data, change):
        return services.safe_zone_set(actor=request.user, person=data.get("person") or obj.person,
                                      radius_m=data.get("radius_m"), polygon=data.get("polygon"))

    def has_delete_permission(self, request, obj=None):
        return False  # every elder with a terminal has a zone; a drawn one returns to the circle when cleared


@admin.register(EmergencyContact)
class EmergencyContactAdmin(PersonalFieldsAdminMixin, ServiceAdmin):
    list_display = ["person", "name", "relation", "priority"]
    autocomplete_fields = ["person"]
    search_fields = ["person__name", "name"]

    def service_save(self, request, obj, data, change):
        if change:
            return services.emergency_contact_update(actor=request.user, contact=obj, **data)
        return services.emergency_contact_add(actor=request.user, **data)

    def service_delete(self, request, obj):
        services.emergency_contact_delete(actor=request.user, contact=obj)


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    fields = ["at", "action", "state", "user", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj):
        return False


@admin.register(Alert)
class AlertAdmin(ScopedAdmin):
    """Alerts are handled in the dispatcher's console; here they are looked up."""

    list_display = ["raised_at", "kind", "state", "terminal", "person", "area", "repeats"]
    list_filter = ["kind", "state"]
    list_select_related = ["terminal", "person", "area"]
    inlines = [AlertEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QuarantinedMessage)
class QuarantinedMessageAdmin(admin.ModelAdmin):
    """Messages the ingester could not use, with the reason (they belong to no area)."""

    list_display = ["received_at", "code", "topic", "reason"]  # the code shown by its label
    list_filter = ["code"]
    search_fields = ["topic", "reason"]
    readonly_fields = ["received_at", "code", "topic", "payload_text", "reason"]
    exclude = ["payload"]

    @admin.display(description=_("payload"))
    def payload_text(self, obj):
        return bytes(obj.payload).decode("utf-8", "backslashreplace")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IngestCount)
class IngestCountAdmin(admin.ModelAdmin):
    list_display = ["day", "format", "outcome", "count"]
    list_filter = ["format", "outcome"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
