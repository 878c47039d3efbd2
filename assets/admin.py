from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.utils.translation import gettext_lazy as _

from assets import services
from assets.models import (
    Building,
    House,
    KeySite,
    KeySiteCategory,
    Organization,
    Person,
    PersonTag,
    PersonTagging,
    Residence,
    Road,
)
from assets.selectors import people_with_current_home, tags_visible
from gis_core.admin_base import PersonalFieldsAdminMixin, ServiceAdmin
from gis_core.personal_data import may_see_personal_data


class HouseInline(admin.TabularInline):
    model = House
    fields = ["unit", "floor", "room", "floor_area", "use"]
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj):
        return False  # houses are added on their own page, through the service

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Building)
class BuildingAdmin(ServiceAdmin):
    list_display = ["name", "address", "category", "floors", "is_key", "area"]
    list_filter = ["category", "is_key"]
    search_fields = ["name", "address"]
    readonly_fields = ["area", "created_at", "updated_at"]
    list_select_related = ["area"]
    inlines = [HouseInline]

    def service_save(self, request, obj, data, change):
        if change:
            return services.building_update(actor=request.user, building=obj, **data)
        return services.building_create(actor=request.user, **data)

    def service_delete(self, request, obj):
        services.building_delete(actor=request.user, building=obj)


@admin.register(House)
class HouseAdmin(ServiceAdmin):
    list_display = ["__str__", "unit", "floor", "room", "use", "floor_area"]
    list_filter = ["use"]
    search_fields = ["building__name", "room"]
    autocomplete_fields = ["building"]
    list_select_related = ["building"]
    readonly_fields = ["created_at", "updated_at"]

    def service_save(self, request, obj, data, change):
        if change:
            return services.house_update(actor=request.user, house=obj, **data)
        return services.house_create(actor=request.user, **data)

    def service_delete(self, request, obj):
        services.house_delete(actor=request.user, house=obj)


class ResidenceInline(admin.TabularInline):
    model = Residence
    fields = ["house", "relation", "is_primary", "moved_in", "moved_out"]
    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj):
        return False  # moves go through the residence page (services keep one primary)

    def has_change_permission(self, request, obj=None):
        return False


class PersonTaggingInline(admin.TabularInline):
    model = PersonTagging
    extra = 0

    def get_queryset(self, request):
        # Sensitive tags (health, key management) are personal data.
        queryset = super().get_queryset(request)
        return queryset if may_see_personal_data(request.user) else queryset.filter(tag__sensitive=False)


class TagListFilter(admin.SimpleListFilter):
    """People by tag: only the tags the role may see (a sensitive one would reveal who
    carries it)."""

    title = _("tags")
    parameter_name = "tag"

    def lookups(self, request, model_admin):
        tags = PersonTag.objects.order_by("sort_order", "code")
        return [(t.code, t.name) for t in tags_visible(tags, sees_personal=may_see_personal_data(request.user))]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() not in dict(self.lookup_choices):
            raise IncorrectLookupParameters(self.value())
        return queryset.filter(tags__code=self.value())


@admin.register(Person)
class PersonAdmin(PersonalFieldsAdminMixin, ServiceAdmin):
    list_display = ["name", "gender", "birth_year", "residence_type", "ethnicity"]
    list_filter = ["residence_type", "gender", TagListFilter]
    search_fields = ["name"]
    readonly_fields = ["gender", "birth_date", "created_at", "updated_at"]
    inlines = [ResidenceInline, PersonTaggingInline]
    exclude = ["tags"]

    def get_queryset(self, request):
        return people_with_current_home(super().get_queryset(request))

    def lookup_allowed(self, lookup, value, request):
        # Tags only through TagListFilter, which knows the sensitive ones.
        if lookup.startswith(("tags", "taggings")) and not may_see_personal_data(request.user):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(ordering="birth_date")
    def birth_year(self, person):
        return person.birth_date.year if person.birth_date else "-"

    def service_save(self, request, obj, data, change):
        if change:
            return services.person_update(actor=request.user, person=obj, **data)
        return services.person_create(actor=request.user, house=None, **data)

    def service_delete(self, request, obj):
        services.person_delete(actor=request.user, person=obj)


@admin.register(Residence)
class ResidenceAdmin(ServiceAdmin):
    list_display = ["person", "house", "relation", "is_primary", "moved_in", "moved_out"]
    list_filter = ["relation", "is_primary"]
    autocomplete_fields = ["person", "house"]
    search_fields = ["person__name"]
    list_select_related = ["person", "house__building"]
    readonly_fields = ["created_at", "updated_at"]

    def service_save(self, request, obj, data, change):
        if change:
            if data.get("moved_out") and not obj.moved_out:
                return services.residence_move_out(actor=request.user, residence=obj, moved_out=data["moved_out"])
            return obj
        return services.residence_move_in(
            actor=request.user, person=data["person"], house=data["house"], relation=data["relation"],
            moved_in=data["moved_in"], primary=data.get("is_primary", True))

    def service_delete(self, request, obj):
        services.residence_delete(actor=request.user, residence=obj)


@admin.register(Organization)
class OrganizationAdmin(PersonalFieldsAdminMixin, ServiceAdmin):
    list_display = ["name", "kind", "credit_code", "address", "area"]
    list_filter = ["kind"]
    search_fields = ["name", "address", "credit_code"]
    autocomplete_fields = ["building"]
    readonly_fields = ["area", "created_at", "updated_at"]
    list_select_related = ["area"]

    def service_save(self, request, obj, data, change):
        if change:
            return services.organization_update(actor=request.user, organization=obj, **data)
        return services.organization_create(actor=request.user, **data)

    def service_delete(self, request, obj):
        services.organization_delete(actor=request.user, organization=obj)


@admin.register(KeySite)
class KeySiteAdmin(PersonalFieldsAdminMixin, ServiceAdmin):
    list_display = ["name", "category", "risk_level", "responsible_name", "area"]
    list_filter = ["category__kind", "category", "risk_level"]
    search_fields = ["name"]
    autocomplete_fields = ["building"]
    readonly_fields = ["area", "created_at", "updated_at"]
    list_select_related = ["area", "category"]

    def service_save(self, request, obj, data, change):
        if change:
            return services.key_site_update(actor=request.user, key_site=obj, **data)
        return services.key_site_create(actor=request.user, **data)

    def service_delete(self, request, obj):
        services.key_site_delete(actor=request.user, key_site=obj)


@admin.register(Road)
class RoadAdmin(ServiceAdmin):
    list_display = ["name", "kind", "area"]
    list_filter = ["kind"]
    search_fields = ["name"]
    readonly_fields = ["area", "created_at", "updated_at"]
    list_select_related = ["area"]

    def service_save(self, request, obj, data, change):
        if change:
            return services.road_update(actor=request.user, road=obj, **data)
        return services.road_create(actor=request.user, **data)

    def service_delete(self, request, obj):
        services.road_delete(actor=request.user, road=obj)


@admin.register(PersonTag)
class PersonTagAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "sensitive", "sort_order"]

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in form.cleaned_data}
        saved = services.person_tag_update(tag=obj, **data) if change else services.person_tag_create(**data)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.person_tag_delete(tag=obj)


@admin.register(KeySiteCategory)
class KeySiteCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "color"]
    list_filter = ["kind"]

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in form.cleaned_data}
        saved = (services.key_site_category_update(category=obj, **data) if change
                 else services.key_site_category_create(**data))
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.key_site_category_delete(category=obj)


