from django.contrib.gis.geos import Point
from django.urls import reverse
from rest_framework import serializers

from assets.models import House, Person
from gis_core.api_base import GeoFeatureSerializer, ScopedPrimaryKeyRelatedField
from grids.models import GridCell, Visit, VisitKind


class GridCellSerializer(GeoFeatureSerializer):
    leaders = serializers.CharField(read_only=True, default=None, allow_null=True)
    building_count = serializers.IntegerField(read_only=True)
    house_count = serializers.IntegerField(read_only=True)
    people_count = serializers.IntegerField(read_only=True)
    community = serializers.CharField(source="parent.name", read_only=True)

    class Meta:
        model = GridCell
        geo_field = "boundary"
        fields = ["id", "code", "name", "parent", "community", "leaders", "building_count", "house_count",
                  "people_count"]


class VisitSerializer(serializers.ModelSerializer):
    """A visit or public-sentiment note as read back: who, whom, where, photo links."""

    visitor = serializers.CharField(source="visitor.__str__", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True, default=None, allow_null=True)
    house_label = serializers.SerializerMethodField()
    cell_name = serializers.CharField(source="cell.name", read_only=True)
    lon = serializers.FloatField(source="location.x", read_only=True, default=None, allow_null=True)
    lat = serializers.FloatField(source="location.y", read_only=True, default=None, allow_null=True)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "kind", "visited_at", "cell", "cell_name", "house", "house_label", "person", "person_name",
                  "visitor", "notes", "lon", "lat", "photos"]

    def get_house_label(self, visit) -> str | None:
        # Not source="house.__str__": on a visit with no house DRF resolves None.__str__ (a
        # method-wrapper), and serialized its repr.
        return str(visit.house) if visit.house_id else None

    def get_photos(self, visit) -> list[str]:
        return [reverse("visit-photo", kwargs={"pk": visit.pk, "photo_id": p.pk}) for p in visit.photos.all()]


class VisitRecordSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=VisitKind.choices, default=VisitKind.VISIT)
    visited_at = serializers.DateTimeField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=4000, allow_blank=True)
    house = ScopedPrimaryKeyRelatedField(queryset=House.objects.all(), required=False, allow_null=True)
    person = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    def validate(self, data):
        lon, lat = data.pop("lon", None), data.pop("lat", None)
        data["location"] = Point(lon, lat, srid=4326) if lon is not None and lat is not None else None
        return data


class TasksQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=366, default=30,
                                    help_text="elders living alone not visited for this many days")
