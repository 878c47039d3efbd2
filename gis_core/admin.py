from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from gis_core import services
from gis_core.admin_base import ScopedAdmin, ServiceAdmin
from gis_core.models import Area, AreaLevel, PersonalDataAccess, User
from gis_core.roles import AUDIT_ROLES


class AreaAdminBase(ServiceAdmin):
    """Areas of any level, grid cells included: edits go through the hierarchy rules."""

    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["code", "level", "parent"] if obj else []
        return [*super().get_readonly_fields(request, obj), *fixed]

    def service_save(self, request, obj, data, change):
        if change:
            return services.area_update(area=obj, name=data.get("name"), boundary=data.get("boundary"))
        return services.area_create(code=data["code"], name=data["name"], level=data.get("level", AreaLevel.GRID),
                                    parent=data.get("parent"), boundary=data["boundary"], actor=request.user)

    def service_delete(self, request, obj):
        services.area_delete(area=obj)


@admin.register(Area)
class AreaAdmin(AreaAdminBase):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    list_display = ["username", "name", "role", "on_duty", "is_active", "last_login"]
    list_filter = ["role", "on_duty", "is_active"]
    search_fields = ["username", "name", "phone"]
    filter_horizontal = ["areas"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["name", "phone", "email"]}),
        (_("Role and areas"), {"fields": ["role", "areas", "on_duty"]}),
        (_("Status"), {"fields": ["is_active", "is_staff", "is_superuser", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "password1", "password2", "name", "role"]})]
    readonly_fields = ["last_login", "date_joined"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "areas":
            from gis_core.scoping import areas_for_user

            kwargs["queryset"] = areas_for_user(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        if user.role:  # the role's permission group follows the role
            services.user_role_set(user=user, role=user.role, areas=list(user.areas.all()))


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ScopedAdmin):
    """The access log: searchable by district administrators, never editable."""

    list_display = ["at", "username", "content_type", "record", "fields", "channel"]
    list_filter = ["content_type", "at"]
    search_fields = ["username", "record", "channel"]
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return request.user.is_active and (request.user.role in AUDIT_ROLES or request.user.is_superuser)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
