"""Notices as the API shows them, and the input of a draft, of a step and of an import
(thin: the rules are in notices/services.py)."""
from __future__ import annotations

from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.fields import GeometryField

from assets.models import PersonTag
from gis_core.api_base import ChoiceLabelField
from gis_core.models import Area
from notices.models import (
    CapCategory,
    CapCertainty,
    CapSeverity,
    CapUrgency,
    Notice,
    NoticeAttachment,
    NoticeKind,
    NoticeStep,
)
from notices.services import NoticeInput


@extend_schema_field({"type": "object", "nullable": True,
                      "description": "A GeoJSON geometry (longitude, latitude), or null."})
class NullableGeometryField(GeometryField):
    """A GeoJSON geometry that may be absent (null), so documented."""


class CircleSerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    radius_m = serializers.IntegerField(min_value=1, max_value=50_000)


class NoticeInputSerializer(serializers.Serializer):
    """A draft: target areas by code, a drawn ``polygon`` (GeoJSON Polygon or
    MultiPolygon, longitude/latitude) and/or a ``circle``; the audience; the validity; a
    warning's CAP fields."""

    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    title = serializers.CharField(max_length=120)
    body = serializers.CharField(max_length=4000)
    valid_from = serializers.DateTimeField()
    valid_until = serializers.DateTimeField()
    target_areas = serializers.SlugRelatedField(slug_field="code", queryset=Area.objects.all(), many=True,
                                                required=False, default=list)
    polygon = NullableGeometryField(required=False, allow_null=True, default=None)
    circle = CircleSerializer(required=False, allow_null=True, default=None)
    to_residents = serializers.BooleanField(default=True)
    group = serializers.SlugRelatedField(slug_field="code", queryset=PersonTag.objects.all(), required=False,
                                         allow_null=True, default=None)
    to_staff = serializers.BooleanField(default=False)
    cap_category = serializers.ChoiceField(choices=CapCategory.choices, required=False, allow_blank=True, default="")
    event = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(choices=CapUrgency.choices, required=False, allow_blank=True, default="")
    severity = serializers.ChoiceField(choices=CapSeverity.choices, required=False, allow_blank=True, default="")
    certainty = serializers.ChoiceField(choices=CapCertainty.choices, required=False, allow_blank=True, default="")
    instruction = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate(self, data):
        if data["valid_until"] <= data["valid_from"]:
            raise serializers.ValidationError({"valid_until": [_("The end of validity must come after its start.")]})
        return data

    def notice_input(self) -> NoticeInput:
        data = dict(self.validated_data)
        circle = data.pop("circle")
        return NoticeInput(**data, circle_center=Point(circle["lon"], circle["lat"], srid=4326) if circle else None,
                           circle_radius_m=circle["radius_m"] if circle else None)


class NoticeStepInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class CapUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)


class NoticeAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["code", "name", "level"]


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = NoticeAttachment
        fields = ["id", "name", "url"]

    def get_url(self, attachment) -> str:
        return attachment.file.url


class NoticeStepSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = NoticeStep
        fields = ["at", "action", "from_status", "to_status", "actor", "note", "data"]

    def get_actor(self, step) -> str | None:
        return (step.actor.name or step.actor.username) if step.actor_id else None


class NoticeSerializer(serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind")
    status_display = ChoiceLabelField(source="status")
    area = serializers.CharField(source="area.code", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    group = serializers.CharField(source="group.code", read_only=True, default=None, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "kind", "kind_display", "title", "status", "status_display", "version", "area", "area_name",
                  "to_residents", "group", "to_staff", "valid_from", "valid_until", "event", "urgency", "severity",
                  "certainty", "published_at", "people_count", "phone_count", "staff_count", "is_active"]


class NoticeDetailSerializer(NoticeSerializer):
    target_areas = NoticeAreaSerializer(many=True, read_only=True)
    polygon = NullableGeometryField(read_only=True)
    target = NullableGeometryField(read_only=True)
    circle = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    steps = NoticeStepSerializer(many=True, read_only=True)

    class Meta(NoticeSerializer.Meta):
        fields = NoticeSerializer.Meta.fields + [
            "body", "cap_category", "instruction", "target_areas", "polygon", "circle", "target", "attachments",
            "steps", "source_identifier", "source_sender"]

    def get_circle(self, notice) -> dict | None:
        if notice.circle_center is None:
            return None
        return {"lon": notice.circle_center.x, "lat": notice.circle_center.y, "radius_m": notice.circle_radius_m}


class ReachSerializer(serializers.Serializer):
    people = serializers.IntegerField()
    phones = serializers.IntegerField()
    staff = serializers.IntegerField()
    target = NullableGeometryField(allow_null=True)


class ReceiptSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    state = serializers.CharField()
    read_at = serializers.DateTimeField(allow_null=True)


class PublicNoticeSerializer(serializers.ModelSerializer):
    """What residents see: no people, no counts, no who."""

    kind_display = ChoiceLabelField(source="kind")
    severity_display = ChoiceLabelField(source="severity")
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "kind", "kind_display", "title", "body", "valid_from", "valid_until", "event", "severity",
                  "severity_display", "instruction", "published_at", "attachments"]


class PublicQuerySerializer(serializers.Serializer):
    area = serializers.SlugRelatedField(slug_field="code", queryset=Area.objects.all())
