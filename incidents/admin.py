"""Admin for what administrators configure: departments, categories, the working calendar,
Open311 clients. Cases are read here; they change only through the workflow."""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from gis_core.admin_base import PersonalFieldsAdminMixin, ReadOnlyInline, ScopedAdmin
from incidents import services
from incidents.models import Case, CaseEvent, Category, Department, Open311Client, WorkCalendarDay


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "phone", "head", "active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["members"]
    autocomplete_fields = ["head"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "department", "time_limit_hours", "round_the_clock",
                    "urgency", "active"]
    list_filter = ["kind", "urgency", "active", "parent"]
    search_fields = ["code", "name"]
    list_select_related = ["parent", "department"]


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "created_at"]
    fields = ["name", "active"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        client, api_key = services.open311_client_create(name=obj.name)
        obj.pk, obj.key_hash = client.pk, client.key_hash
        messages.warning(request, _("The api_key of %(name)s (shown only now): %(key)s") % {
            "name": client.name, "key": api_key})


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "action", "from_status", "to_status", "actor", "note"]


@admin.register(Case)
class CaseAdmin(PersonalFieldsAdminMixin, ScopedAdmin):
    list_display = ["tracking_number", "category", "status", "time_state", "department", "cell", "reported_at"]
    list_filter = ["status", "time_state", "kind", "source", "department"]
    search_fields = ["tracking_number", "description", "address"]
    list_select_related = ["category__parent", "department", "cell"]
    inlines = [CaseEventInline]

    def has_change_permission(self, request, obj=None):
        return False  # the workflow (desk, API) changes cases, so every step is logged

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
