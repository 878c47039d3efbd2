from __future__ import annotations

import datetime as dt

from django.contrib.gis.geos import Point
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from gis_core.api_base import ChoiceLabelField, GeoFeatureSerializer, PersonalDataSerializerMixin
from incidents.metrics import GROUPS, PERIODS
from incidents.models import Case, CaseAttachment, CaseEvent, CaseSource, CaseStatus, Category, Department
from incidents.workflow import action_label, case_actions

METRICS_LONGEST = dt.timedelta(days=3 * 366)


class CategorySerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    subcategories = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["code", "name", "kind", "department", "time_limit_hours", "round_the_clock", "urgency",
                  "subcategories"]

    def get_subcategories(self, category) -> list[dict]:
        return CategorySerializer(getattr(category, "children", []), many=True).data


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "phone"]


class CaseSerializer(GeoFeatureSerializer):
    """A queue row: GeoJSON feature at the case's location."""

    category = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.StringRelatedField(source="category")
    status_display = ChoiceLabelField(source="status")
    time_state_display = ChoiceLabelField(source="time_state")
    department = serializers.CharField(source="department.code", read_only=True, default=None, allow_null=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default=None, allow_null=True)
    cell_name = serializers.CharField(source="cell.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True)

    class Meta:
        model = Case
        geo_field = "location"
        fields = ["id", "tracking_number", "kind", "category", "category_name", "description", "address", "status",
                  "status_display", "time_state", "time_state_display", "urgency", "source", "department",
                  "department_name", "cell", "cell_name", "community_name", "street_name", "reported_at",
                  "filed_at", "due_at", "closed_at", "pending_request", "supervision_count", "version"]


class CaseEventSerializer(serializers.ModelSerializer):
    action_display = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["at", "action", "action_display", "from_status", "to_status", "actor", "note", "data", "photos"]

    def get_action_display(self, event) -> str:
        return action_label(event.action)

    def get_actor(self, event) -> str | None:
        return str(event.actor) if event.actor_id else None

    def get_photos(self, event) -> list[int]:
        return [a.pk for a in event.attachments.all()]


class CaseAttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = CaseAttachment
        fields = ["id", "url", "content_type", "size", "width", "height", "uploaded_at"]

    def get_url(self, attachment) -> str:
        return reverse("case-photo", kwargs={"pk": attachment.case_id, "photo_id": attachment.pk})


class CaseDetailSerializer(PersonalDataSerializerMixin, CaseSerializer):
    """The case with its reporter (phone masked unless the role needs it), counters, the
    log, the photos and the actions the user may take now."""

    duplicate_of = serializers.CharField(source="duplicate_of.tracking_number", read_only=True, default=None, allow_null=True)
    proposed_department = serializers.CharField(source="category.department.code", read_only=True, default=None,
                                                help_text="the category's department: the default at dispatch")
    reporter = serializers.CharField(source="reporter.__str__", read_only=True, default=None, allow_null=True)
    events = CaseEventSerializer(many=True, read_only=True)
    photos = CaseAttachmentSerializer(source="attachments", many=True, read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "tracking_key", "duplicate_of", "proposed_department", "reporter",
                  "reporter_name", "reporter_phone",
                  "time_limit_hours", "warn_at", "dispatched_at", "reported_back_at", "closed_on_time",
                  "evaluated_at", "archived_at", "pending_hours", "rework_count", "extension_count", "rating",
                  "reporter_rating", "events", "photos", "actions"]

    def get_actions(self, case) -> list[dict]:
        user = self.context["request"].user
        return [{"name": a.name, "label": str(a.label), "note_required": a.note_required, "fields": list(a.fields)}
                for a in case_actions(user, case)]


class CaseReportSerializer(serializers.Serializer):
    """A report: where (``lon``/``lat``), what (subcategory code, description), who (for
    the desk: the resident's name and phone), and photos (multipart ``photos``)."""

    category = serializers.CharField(max_length=40)
    description = serializers.CharField(max_length=4000, allow_blank=True)
    lon = serializers.FloatField(required=False, allow_null=True)
    lat = serializers.FloatField(required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(choices=[CaseSource.GRID_LEADER, CaseSource.DESK], required=False)
    reporter_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    reporter_email = serializers.EmailField(required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    def validate_category(self, code: str) -> Category:
        category = Category.objects.filter(code=code).first()
        if category is None:
            raise serializers.ValidationError(_("Unknown category %(code)r.") % {"code": code})
        return category

    def validate(self, data):
        lon, lat = data.get("lon"), data.get("lat")
        if lon is None or lat is None:
            raise serializers.ValidationError({"location": [
                _("Give the location: a GPS fix or a point tapped on the map (lon and lat).")]})
        data["location"] = Point(lon, lat, srid=4326)
        return data


class CaseActSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=24)
    version = serializers.IntegerField()
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.filter(active=True),
                                              required=False, allow_null=True)
    duplicate_of = serializers.CharField(max_length=32, required=False, allow_blank=True,
                                         help_text="tracking number of the original case")
    hours = serializers.IntegerField(required=False, allow_null=True)
    rating = serializers.IntegerField(required=False, allow_null=True)
    reporter_rating = serializers.IntegerField(required=False, allow_null=True)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class MetricsRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    filed = serializers.IntegerField()
    due = serializers.IntegerField()
    deferred = serializers.IntegerField()
    closed = serializers.IntegerField()
    closed_on_time = serializers.IntegerField()
    reworked = serializers.IntegerField()
    extended = serializers.IntegerField()
    closure_rate = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    rework_rate = serializers.FloatField(allow_null=True)
    extension_rate = serializers.FloatField(allow_null=True)
    mean_hours = serializers.FloatField(allow_null=True)
    p90_hours = serializers.FloatField(allow_null=True)


class MetricsSerializer(serializers.Serializer):
    by = serializers.CharField()
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    rows = MetricsRowSerializer(many=True)


class PublicEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    action_display = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()


def public_case(case: Case) -> dict:
    """What anyone with the tracking number sees: no names, phones, notes or photos."""
    return {
        "tracking_number": case.tracking_number, "category": str(case.category),
        "status": case.status, "status_display": case.get_status_display(),
        "area": f"{case.street.name} {case.community.name}", "reported_at": case.reported_at,
        "due_at": case.due_at, "closed_at": case.closed_at,
        "department": case.department.name if case.department else None,
        "timeline": [{"at": e.at, "action": e.action, "action_display": action_label(e.action),
                      "from_status": e.from_status or None,
                      "from_status_display": str(CaseStatus(e.from_status).label) if e.from_status else None,
                      "status": e.to_status, "status_display": str(CaseStatus(e.to_status).label)}
                     for e in case.events.all()],
    }


# --------------------------------------------------------------------------- query parameters

class TrackQuerySerializer(serializers.Serializer):
    check = serializers.CharField(required=False, allow_blank=True, max_length=32, default="", help_text=(
        "the tracking key on the receipt, or the last four digits of the reporter's phone"))


class NearbyQuerySerializer(serializers.Serializer):
    """Where to look for open cases: ``lon``/``lat`` (WGS84), optionally a subcategory
    ``category`` and a ``radius`` in metres (default INCIDENTS_NEARBY_M)."""

    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.all(), required=False)
    radius = serializers.FloatField(min_value=1, max_value=1000, required=False, help_text="metres")

    def validate(self, data):
        data["point"] = Point(data.pop("lon"), data.pop("lat"), srid=4326)
        return data


class MetricsQuerySerializer(serializers.Serializer):
    """``by`` a group or a period, over [``since``, ``until``) (local dates; default this
    month, at most three years)."""

    by = serializers.ChoiceField(choices=[*GROUPS, *PERIODS], default="community")
    since = serializers.DateField(required=False, help_text="YYYY-MM-DD, default the 1st of this month")
    until = serializers.DateField(required=False, help_text="YYYY-MM-DD (exclusive), default tomorrow")

    def validate(self, data):
        today, tz = timezone.localdate(), timezone.get_current_timezone()
        since = dt.datetime.combine(data.get("since") or today.replace(day=1), dt.time(), tz)
        until = dt.datetime.combine(data.get("until") or today + dt.timedelta(days=1), dt.time(), tz)
        if not since < until or until - since > METRICS_LONGEST:
            raise serializers.ValidationError(
                {"since": [_("The period must run forwards and last at most three years.")]})
        return {"by": data["by"], "since": since, "until": until}
