from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import serializers

from assets.identity import age_on
from assets.models import (
    Building,
    House,
    KeySite,
    KeySiteCategory,
    Organization,
    Person,
    PersonTag,
    Residence,
    ResidenceRelation,
)
from assets.quality import LEVELS, VISIT_DAYS
from assets.selectors import tags_visible
from gis_core.api_base import (
    ChoiceLabelField,
    GeoFeatureSerializer,
    PersonalDataSerializerMixin,
    ScopedPrimaryKeyRelatedField,
)
from gis_core.models import Area
from gis_core.personal_data import may_see_personal_data, record_read, reveal
from gis_core.scoping import scope_queryset


class AreaCodeMixin(serializers.Serializer):
    area_code = serializers.CharField(source="area.code", read_only=True, default=None, allow_null=True)
    area_name = serializers.CharField(source="area.name", read_only=True, default=None, allow_null=True)


# --------------------------------------------------------------------------- people

class PersonTagSerializer(serializers.ModelSerializer):
    class Meta:
        model = PersonTag
        fields = ["id", "code", "name", "group", "sensitive", "color", "sort_order"]


class PersonSerializer(PersonalDataSerializerMixin, serializers.ModelSerializer):
    tags = serializers.SlugRelatedField(slug_field="code", many=True, queryset=PersonTag.objects.all(),
                                        required=False)
    age = serializers.SerializerMethodField()
    current_house = serializers.IntegerField(source="current_house_id", read_only=True, default=None, allow_null=True)
    current_area = serializers.IntegerField(source="current_area_id", read_only=True, default=None, allow_null=True)
    # Write-only: the primary residence recorded with a new person.
    house = ScopedPrimaryKeyRelatedField(queryset=House.objects.all(), write_only=True, required=False)
    relation = serializers.ChoiceField(choices=ResidenceRelation.choices, write_only=True, required=False)
    moved_in = serializers.DateField(write_only=True, required=False)

    class Meta:
        model = Person
        fields = ["id", "name", "id_number", "id_verified", "gender", "birth_date", "age", "phone",
                  "ethnicity", "residence_type", "nationality", "tags", "notes", "current_house",
                  "current_area", "house", "relation", "moved_in", "created_at", "updated_at"]
        read_only_fields = ["gender", "birth_date", "id_verified", "created_at", "updated_at"]

    def get_age(self, person) -> int | None:
        return age_on(person.birth_date)

    def to_representation(self, instance):
        """Tags by code; sensitive ones only for roles that see personal data (recorded)."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        sees = may_see_personal_data(getattr(request, "user", None))
        tags = list(instance.tags.all())
        shown = tags_visible(tags, sees_personal=sees)
        if sees and any(t.sensitive for t in shown):
            record_read(request, instance, "tags", area_id=getattr(instance, "current_area_id", None))
        data["tags"] = [t.code for t in shown]
        return data


class ResidentSerializer(PersonalDataSerializerMixin, serializers.ModelSerializer):
    """A current resident inside a house (nested building reads)."""

    relation = serializers.CharField()
    moved_in = serializers.DateField()

    class Meta:
        model = Person
        fields = ["id", "name", "id_number", "gender", "birth_date", "phone", "residence_type",
                  "relation", "moved_in"]


class HouseSerializer(serializers.ModelSerializer):
    building = ScopedPrimaryKeyRelatedField(queryset=Building.objects.all())

    class Meta:
        model = House
        fields = ["id", "building", "unit", "floor", "room", "floor_area", "use", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class HouseWithResidentsSerializer(HouseSerializer):
    residents = serializers.SerializerMethodField()

    class Meta(HouseSerializer.Meta):
        fields = HouseSerializer.Meta.fields + ["residents"]

    def get_residents(self, house) -> list[dict]:
        residences = getattr(house, "current_residences", None)
        if residences is None:  # not prefetched (single-house read)
            residences = house.residences.filter(moved_out__isnull=True).select_related("person")
        out = []
        for residence in residences:
            person = residence.person
            person.relation, person.moved_in = residence.relation, residence.moved_in
            person.current_area_id = house.building.area_id  # for the access log
            out.append(ResidentSerializer(person, context=self.context).data)
        return out


class ResidenceSerializer(serializers.ModelSerializer):
    person = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all())
    house = ScopedPrimaryKeyRelatedField(queryset=House.objects.all())

    class Meta:
        model = Residence
        fields = ["id", "person", "house", "relation", "is_primary", "moved_in", "moved_out",
                  "created_at", "updated_at"]
        read_only_fields = ["moved_out", "created_at", "updated_at"]


class MoveOutSerializer(serializers.Serializer):
    moved_out = serializers.DateField()


# --------------------------------------------------------------------------- buildings

class BuildingSerializer(AreaCodeMixin, GeoFeatureSerializer):
    category_display = ChoiceLabelField(source="category")
    house_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    resident_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)

    class Meta:
        model = Building
        geo_field = "footprint"
        fields = ["id", "name", "address", "floors", "category", "category_display", "is_key",
                  "area", "area_code", "area_name", "house_count", "resident_count",
                  "created_at", "updated_at"]
        read_only_fields = ["area", "created_at", "updated_at"]


class BuildingDetailSerializer(BuildingSerializer):
    """A building with its houses and their current residents (楼栋-房屋-人口)."""

    houses = serializers.SerializerMethodField()

    class Meta(BuildingSerializer.Meta):
        fields = BuildingSerializer.Meta.fields + ["houses"]

    def get_houses(self, building) -> list[dict]:
        return HouseWithResidentsSerializer(building.houses.all(), many=True, context=self.context).data


# --------------------------------------------------------------------------- places

class OrganizationSerializer(PersonalDataSerializerMixin, AreaCodeMixin, GeoFeatureSerializer):
    building = ScopedPrimaryKeyRelatedField(queryset=Building.objects.all(), allow_null=True, required=False)
    kind_display = ChoiceLabelField(source="kind")

    class Meta:
        model = Organization
        geo_field = "location"
        fields = ["id", "name", "kind", "kind_display", "credit_code", "address", "building",
                  "contact_name", "contact_phone", "area", "area_code", "area_name", "created_at", "updated_at"]
        read_only_fields = ["area", "created_at", "updated_at"]


class KeySiteCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = KeySiteCategory
        fields = ["id", "code", "name", "kind", "color"]


class KeySiteSerializer(PersonalDataSerializerMixin, AreaCodeMixin, GeoFeatureSerializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=KeySiteCategory.objects.all())
    category_name = serializers.CharField(source="category.name", read_only=True)
    kind = serializers.CharField(source="category.kind", read_only=True)
    building = ScopedPrimaryKeyRelatedField(queryset=Building.objects.all(), allow_null=True, required=False)

    class Meta:
        model = KeySite
        geo_field = "geometry"
        fields = ["id", "name", "category", "category_name", "kind", "risk_level", "responsible_name",
                  "responsible_phone", "building", "notes", "area", "area_code", "area_name",
                  "created_at", "updated_at"]
        read_only_fields = ["area", "created_at", "updated_at"]


# --------------------------------------------------------------------------- data quality

class QualityAreaSerializer(serializers.Serializer):
    """``?area=``: an area of yours (404 otherwise) whose subtree to report on."""

    area = serializers.IntegerField(required=False, min_value=1, help_text="limit to this area's subtree")

    def validate_area(self, value: int) -> Area:
        area = scope_queryset(Area.objects.select_related("parent__parent__parent"),
                              self.context["request"].user).filter(pk=value).first()
        if area is None:
            raise Http404(_("No such area in your areas."))
        return area


class QualityQuerySerializer(QualityAreaSerializer):
    """``?by=``, ``?area=`` and ``?days=`` of the quality report and its page."""

    by = serializers.ChoiceField(choices=list(LEVELS), default="cell")
    days = serializers.IntegerField(default=VISIT_DAYS, min_value=1, max_value=3660,
                                    help_text="cells not visited for this many days")


def duplicate_groups_data(request, groups: list[dict]) -> list[dict]:
    """The groups with their people and building: ID numbers, phones and birth dates
    through ``reveal`` (masked, or shown and recorded). One query for all of them."""
    ids = {pk for group in groups for pk in group["people"]}
    homes = {r.person_id: r for r in Residence.objects.filter(person__in=ids, moved_out__isnull=True, is_primary=True)
             .select_related("person", "house__building__area")}
    out = []
    for group in groups:
        people = []
        for pk in sorted(group["people"]):
            person, house = homes[pk].person, homes[pk].house
            shown = {field: reveal(request, person, field, str(getattr(person, field) or ""), kind=kind,
                                   area_id=group["area_id"])
                     for field, kind in person.personal_fields.items()}
            people.append({"id": person.pk, "name": person.name, **shown, "gender": person.gender,
                           "id_verified": person.id_verified, "house": house.pk, "unit": house.unit,
                           "floor": house.floor, "room": house.room})
        building = homes[group["people"][0]].house.building
        out.append({"kind": "same_name_birth_date", "name": people[0]["name"],
                    "birth_date": people[0]["birth_date"], "size": group["size"],
                    "building": {"id": building.pk, "name": building.name, "address": building.address},
                    "area": building.area and {"id": building.area_id, "code": building.area.code,
                                               "name": building.area.name},
                    "people": people})
    return out
