from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from assets.models import Person
from assets.serializers import PersonSerializer
from gis_core.api_base import ChoiceLabelField, GeoFeatureSerializer, PersonalDataSerializerMixin
from gis_core.models import User
from gis_core.personal_data import reveal
from iot.models import Alert, AlertEvent, AlertKind, EmergencyContact, IngestCount, QuarantinedMessage, Terminal
from iot.selectors import alerts_queue, home_address
from iot.services import STEPS, alert_actions

TRACK_DEFAULT = dt.timedelta(minutes=30)
TRACK_LONGEST = dt.timedelta(days=7)


class AlertSerializer(GeoFeatureSerializer):
    """A queue row: GeoJSON feature at the alert's position."""

    device_id = serializers.CharField(source="terminal.device_id", read_only=True)
    elder = serializers.CharField(source="person.name", read_only=True, default=None, allow_null=True)
    kind_display = ChoiceLabelField(source="kind")
    state_display = ChoiceLabelField(source="state")
    area_name = serializers.CharField(source="area.name", read_only=True, default=None, allow_null=True)
    device_clock_off = serializers.BooleanField(read_only=True)
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        geo_field = "position"
        fields = ["id", "kind", "kind_display", "state", "state_display", "device_id", "terminal", "person", "elder",
                  "area", "area_name", "accuracy_m", "raised_at", "received_at", "device_clock_off", "last_report_at", "repeats",
                  "acknowledged_at", "dispatched_at", "on_scene_at", "closed_at", "version", "actions"]

    def get_actions(self, alert) -> list[str]:
        return alert_actions(alert)


def alert_rows(ids) -> dict[int, dict]:
    """Alert id → its queue row, as the alerts list gives it (one query), for the live
    announcement. Serialized without a request: whatever the row ever holds that is
    personal comes masked (gis_core.personal_data.reveal), never more than a role sees."""
    alerts = alerts_queue(Alert.objects.filter(pk__in=ids), open_only=False)
    return {alert.pk: AlertSerializer(alert).data for alert in alerts}


class AlertEventSerializer(serializers.ModelSerializer):
    user = serializers.SerializerMethodField()

    class Meta:
        model = AlertEvent
        fields = ["at", "action", "state", "user", "note", "device_time"]

    def get_user(self, event) -> str | None:
        return (event.user.name or event.user.username) if event.user else None


class EmergencyContactSerializer(PersonalDataSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = EmergencyContact
        fields = ["id", "name", "relation", "phone", "priority"]


class TerminalStateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Terminal
        fields = ["id", "device_id", "model", "protocol", "status", "battery", "signal", "last_seen_at",
                  "last_fix_at", "last_accuracy_m", "last_gps_fix", "zone_state"]


class AlertDetailSerializer(AlertSerializer):
    """The alert with the elder, the device, family contacts, responders and the log."""

    terminal_state = TerminalStateSerializer(source="terminal", read_only=True)
    elder_detail = serializers.SerializerMethodField()
    contacts = serializers.SerializerMethodField()
    events = AlertEventSerializer(many=True, read_only=True)
    responders = serializers.SerializerMethodField()

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "terminal_state", "elder_detail", "contacts", "events", "responders"]

    def get_elder_detail(self, alert) -> dict | None:
        if alert.person is None:
            return None
        data = PersonSerializer(alert.person, context=self.context).data
        data["home_address"] = home_address(alert.person)
        return data

    def get_contacts(self, alert) -> list[dict]:
        if alert.person is None:
            return []
        return EmergencyContactSerializer(alert.person.emergency_contacts.all(), many=True, context=self.context).data

    def get_responders(self, alert) -> list[dict]:
        """Phones masked or shown by role like any personal data; every shown one logged."""
        request = self.context.get("request")
        out = []
        for r in self.context.get("responders", []):
            record = User(pk=r.id, username=r.name) if r.kind == "grid_leader" else Person(pk=r.id, name=r.name)
            phone = reveal(request, record, "phone", r.phone, kind="phone", area_id=r.area_id)
            out.append({"kind": r.kind, "id": r.id, "name": r.name, "phone": phone, "distance_m": r.distance_m,
                        "area_name": r.area_name})
        return out


class AdvanceSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(STEPS))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    version = serializers.IntegerField(required=False, min_value=1)


class LiveTerminalSerializer(GeoFeatureSerializer):
    elder = serializers.CharField(source="person.name", read_only=True, default=None, allow_null=True)
    open_alert_kind = serializers.CharField(read_only=True, default=None, allow_null=True)
    open_alert_id = serializers.IntegerField(read_only=True, default=None, allow_null=True)

    class Meta:
        model = Terminal
        geo_field = "last_position"
        fields = ["id", "device_id", "elder", "person", "battery", "signal", "last_seen_at", "last_fix_at",
                  "last_accuracy_m", "zone_state", "open_alert_kind", "open_alert_id"]


# A track (TerminalViewSet.track): the line of the fixes, then each fix as a point.
TRACK_SCHEMA = {
    "type": "object", "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {
            "type": "object", "required": ["type", "geometry", "properties"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]},
                "geometry": {"type": "object", "properties": {
                    "type": {"type": "string", "enum": ["LineString", "Point"]}, "coordinates": {"type": "array"}}},
                "properties": {"type": "object", "description": "line: terminal, since, until; "
                                                                "point: time, accuracy_m, speed_kmh, zone"},
            },
        }},
    },
}


class IngestCountSerializer(serializers.ModelSerializer):
    class Meta:
        model = IngestCount
        fields = ["day", "format", "outcome", "count"]


class QuarantinedMessageSerializer(serializers.ModelSerializer):
    """``code`` why (iot.formats.reasons), ``code_display`` its label, ``reason`` the detail."""

    payload = serializers.SerializerMethodField()
    code_display = ChoiceLabelField(source="code")

    class Meta:
        model = QuarantinedMessage
        fields = ["id", "received_at", "topic", "payload", "code", "code_display", "reason"]

    def get_payload(self, message) -> str:
        return bytes(message.payload).decode("utf-8", "backslashreplace")


# --------------------------------------------------------------------------- query parameters

class AlertQuerySerializer(serializers.Serializer):
    """``?state=`` and ``?kind=`` of the alert queue."""

    state = serializers.ChoiceField(choices=["open", "closed", "all"], default="open")
    kind = serializers.ChoiceField(choices=AlertKind.choices, required=False)


class TrackQuerySerializer(serializers.Serializer):
    """``?since=`` and ``?until=`` of a track: ISO 8601 times with a zone; default the last
    30 minutes; at most 7 days, forwards."""

    since = serializers.DateTimeField(required=False, help_text="ISO 8601 with a time zone")
    until = serializers.DateTimeField(required=False, help_text="ISO 8601 with a time zone")

    def validate(self, data):
        until = data.get("until") or timezone.now()
        since = data.get("since") or until - TRACK_DEFAULT
        if since > until or until - since > TRACK_LONGEST:
            raise serializers.ValidationError({"since": [_("The period must run forwards and last at most 7 days.")]})
        return {"since": since, "until": until}
