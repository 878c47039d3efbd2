from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from grids.models import GridCell


class GridCellSerializer(GeoFeatureModelSerializer):
    leaders = serializers.CharField(read_only=True, default=None)
    building_count = serializers.IntegerField(read_only=True)
    house_count = serializers.IntegerField(read_only=True)
    people_count = serializers.IntegerField(read_only=True)
    community = serializers.CharField(source="parent.name", read_only=True)

    class Meta:
        model = GridCell
        geo_field = "boundary"
        fields = ["id", "code", "name", "parent", "community", "leaders", "building_count", "house_count",
                  "people_count"]
