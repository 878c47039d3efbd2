import django_filters
from django.db.models import Exists, OuterRef

from assets.models import Building, House, KeySite, Organization, Person, PersonTag, Residence


class AreaCodeFilterMixin(django_filters.FilterSet):
    """``?area_code=530103001`` — everything in that area's subtree (a street, a cell…)."""

    area_code = django_filters.CharFilter(field_name="area__code", lookup_expr="startswith")


class BuildingFilter(AreaCodeFilterMixin):
    floors_min = django_filters.NumberFilter(field_name="floors", lookup_expr="gte")
    floors_max = django_filters.NumberFilter(field_name="floors", lookup_expr="lte")

    class Meta:
        model = Building
        fields = ["category", "is_key", "area"]


class HouseFilter(django_filters.FilterSet):
    vacant = django_filters.BooleanFilter(method="filter_vacant", label="no current residents")

    class Meta:
        model = House
        fields = ["building", "unit", "floor", "use"]

    def filter_vacant(self, qs, name, value):
        occupied = Exists(Residence.objects.filter(house=OuterRef("pk"), moved_out__isnull=True))
        return qs.filter(~occupied if value else occupied)


class PersonFilter(django_filters.FilterSet):
    tag = django_filters.CharFilter(field_name="tags__code")
    area_code = django_filters.CharFilter(method="filter_area_code", label="lives in area (code prefix)")
    id_number = django_filters.CharFilter(method="filter_id_number", label="exact ID number")
    born_before = django_filters.DateFilter(field_name="birth_date", lookup_expr="lt")
    born_after = django_filters.DateFilter(field_name="birth_date", lookup_expr="gte")

    class Meta:
        model = Person
        fields = ["residence_type", "gender", "id_verified"]

    def filter_area_code(self, qs, name, value):
        return qs.filter(pk__in=Residence.objects.filter(
            moved_out__isnull=True, house__building__area__code__startswith=value).values("person_id"))

    def filter_id_number(self, qs, name, value):
        # (A personal field: refused for roles that see it masked, gis_core.filters.)
        return qs.filter(id_number=value.strip().upper())

    def sensitive_filters(self) -> list[str]:
        """Which people carry a sensitive tag (health, key management) is personal data."""
        code = self.data.get("tag")
        return ["tag"] if code and PersonTag.objects.filter(code=code, sensitive=True).exists() else []


class ResidenceFilter(django_filters.FilterSet):
    current = django_filters.BooleanFilter(field_name="moved_out", lookup_expr="isnull")

    class Meta:
        model = Residence
        fields = ["person", "house", "relation", "is_primary"]


class OrganizationFilter(AreaCodeFilterMixin):
    class Meta:
        model = Organization
        fields = ["kind", "area", "building"]


class KeySiteFilter(AreaCodeFilterMixin):
    category = django_filters.CharFilter(field_name="category__code")
    kind = django_filters.CharFilter(field_name="category__kind")
    risk_min = django_filters.NumberFilter(field_name="risk_level", lookup_expr="gte")

    class Meta:
        model = KeySite
        fields = ["area", "building"]
