from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from gis_core.api_base import ChoiceLabelField, GeoFeatureSerializer, ScopedPrimaryKeyRelatedField
from gis_core.models import Area, PersonalDataAccess, User


class AreaSerializer(GeoFeatureSerializer):
    level_display = ChoiceLabelField(source="level")
    parent = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Area
        geo_field = "boundary"
        fields = ["id", "code", "name", "level", "level_display", "parent", "boundary",
                  "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        if self.instance is not None:
            for field in ("code", "level", "parent"):
                if field in attrs and attrs[field] != getattr(self.instance, field):
                    raise serializers.ValidationError(
                        {field: [_("Cannot be changed; create a new area instead.")]})
        return attrs


class AreaBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name", "level"]


class MeSerializer(serializers.ModelSerializer):
    role_display = ChoiceLabelField(source="role")
    areas = AreaBriefSerializer(many=True, read_only=True)
    sees_personal_data = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name", "role", "role_display", "areas", "sees_personal_data", "on_duty"]
        read_only_fields = ["on_duty"]

    def get_sees_personal_data(self, user) -> bool:
        from gis_core.personal_data import may_see_personal_data

        return may_see_personal_data(user)


class DutySerializer(serializers.Serializer):
    on_duty = serializers.BooleanField(help_text="On duty: called to nearby SOS (grid leaders), "
                                                 "told with the supervisors of ones left open (dispatchers).")


class PersonalDataAccessSerializer(serializers.ModelSerializer):
    record_type = serializers.CharField(source="content_type.model", read_only=True)

    class Meta:
        model = PersonalDataAccess
        fields = ["id", "at", "user", "username", "record_type", "object_id", "record", "fields",
                  "area", "channel"]
