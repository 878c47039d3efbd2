"""Appointments as the API shows them, and the input of the free-slot query, of a booking
(public or by staff), of a mark and of a cancellation (thin: the rules are in
services/appointment_services.py)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from assets.models import Person
from gis_core.api_base import ChoiceLabelField, PersonalDataSerializerMixin, ScopedPrimaryKeyRelatedField
from services.models import (
    Appointment,
    AppointmentState,
    BookingChannel,
    Desk,
    ItemStatus,
    OpeningHours,
    ServiceCentre,
    ServiceItem,
)

IN_FORCE = ServiceItem.objects.filter(status=ItemStatus.IN_FORCE)
SLOT_RANGE_DAYS = 31  # at most a month of slots per question


class SlotQuerySerializer(serializers.Serializer):
    """``item`` (code, in force), ``date_from`` (default today), ``date_to`` (default a
    week on; at most 31 days after date_from and APPOINTMENT_DAYS_AHEAD days from today),
    ``centre`` (id; default every centre with a desk for the item), ``desk`` (id: that
    desk's free slots only)."""

    item = serializers.SlugRelatedField(slug_field="code", queryset=IN_FORCE)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    centre = serializers.PrimaryKeyRelatedField(queryset=ServiceCentre.objects.filter(active=True), required=False)
    desk = serializers.PrimaryKeyRelatedField(queryset=Desk.objects.filter(active=True), required=False)

    def validate(self, data):
        today = timezone.localdate()
        first = data.setdefault("date_from", today)
        last = data.setdefault("date_to", first + dt.timedelta(days=6))
        if last < first:
            raise serializers.ValidationError({"date_to": [_("The last day comes on or after the first.")]})
        if (last - first).days >= SLOT_RANGE_DAYS:
            raise serializers.ValidationError({"date_to": [_("At most %(days)d days at a time.") % {
                "days": SLOT_RANGE_DAYS}]})
        if last > today + dt.timedelta(days=settings.APPOINTMENT_DAYS_AHEAD):
            raise serializers.ValidationError({"date_to": [_("Bookings open %(days)d days ahead.") % {
                "days": settings.APPOINTMENT_DAYS_AHEAD}]})
        return data


class PublicCentreSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = ServiceCentre
        fields = ["id", "name", "area_name", "address", "phone", "slot_minutes"]


class SlotSerializer(serializers.Serializer):
    centre = serializers.IntegerField(source="centre_id")
    centre_name = serializers.CharField()
    start = serializers.DateTimeField(source="starts_at")
    end = serializers.DateTimeField(source="ends_at")
    free = serializers.IntegerField(help_text="How many desks are free then.")


class SlotsSerializer(serializers.Serializer):
    item = serializers.CharField()
    item_name = serializers.CharField()
    centres = PublicCentreSerializer(many=True)
    slots = SlotSerializer(many=True)


class PublicBookingSerializer(serializers.Serializer):
    """A resident's booking: the slot (``item`` code, ``centre`` id, ``start`` as the free
    slots give it) and who comes (``name``, ``phone``)."""

    item = serializers.SlugRelatedField(slug_field="code", queryset=IN_FORCE)
    centre = serializers.PrimaryKeyRelatedField(queryset=ServiceCentre.objects.filter(active=True))
    start = serializers.DateTimeField()
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20)


class StaffBookingSerializer(PublicBookingSerializer):
    """Staff book on behalf of a resident: a ``person`` of the roll (then name and phone may
    be left out) or ``name`` and ``phone``; ``channel`` phone or desk; a ``desk`` if one is
    wanted."""

    centre = ScopedPrimaryKeyRelatedField(queryset=ServiceCentre.objects.all())
    desk = serializers.PrimaryKeyRelatedField(queryset=Desk.objects.all(), required=False, allow_null=True)
    person = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=[BookingChannel.PHONE, BookingChannel.DESK], default=BookingChannel.PHONE)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class BookingReceiptSerializer(serializers.ModelSerializer):
    """What the resident is told: the booking number, what, where and when."""

    item_name = serializers.CharField(source="item.name", read_only=True)
    centre_name = serializers.CharField(source="centre.name", read_only=True)
    centre_address = serializers.CharField(source="centre.address", read_only=True)
    centre_phone = serializers.CharField(source="centre.phone", read_only=True)
    desk_name = serializers.CharField(source="desk.label", read_only=True)
    start = serializers.DateTimeField(source="starts_at", read_only=True)
    end = serializers.DateTimeField(source="ends_at", read_only=True)

    class Meta:
        model = Appointment
        fields = ["number", "item_name", "centre_name", "centre_address", "centre_phone", "desk_name", "start", "end"]


class AppointmentSerializer(PersonalDataSerializerMixin, serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    centre_name = serializers.CharField(source="centre.name", read_only=True)
    desk_name = serializers.CharField(source="desk.label", read_only=True)
    state_display = ChoiceLabelField(source="state")
    channel_display = ChoiceLabelField(source="channel")
    start = serializers.DateTimeField(source="starts_at", read_only=True)
    end = serializers.DateTimeField(source="ends_at", read_only=True)

    class Meta:
        model = Appointment
        fields = ["id", "number", "centre", "centre_name", "desk", "desk_name", "item", "item_code", "item_name",
                  "start", "end", "person", "name", "phone", "channel", "channel_display", "state", "state_display",
                  "note", "created_at", "handled_at"]


class MarkSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=[AppointmentState.ATTENDED, AppointmentState.NO_SHOW])


class CancelSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


@extend_schema_field({"type": "string", "pattern": r"^\d{2}:\d{2}$", "example": "09:00"})
class LocalTimeField(serializers.Field):
    """A local time of day as "HH:MM" (OpenAPI's "time" format wants an offset, which
    opening hours have not: they are the district's local time)."""

    def to_representation(self, value) -> str:
        return f"{value:%H:%M}"


class HoursSerializer(serializers.ModelSerializer):
    weekday_display = ChoiceLabelField(source="weekday")
    opens = LocalTimeField(read_only=True)
    closes = LocalTimeField(read_only=True)

    class Meta:
        model = OpeningHours
        fields = ["weekday", "weekday_display", "opens", "closes"]


class DeskSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    items = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Desk
        fields = ["id", "number", "name", "label", "active", "items"]


class CentreSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.name", read_only=True)
    desks = DeskSerializer(many=True, read_only=True)
    hours = HoursSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceCentre
        fields = ["id", "name", "area", "area_name", "address", "phone", "slot_minutes", "active", "desks", "hours"]
