"""The query parameters of the OGC API, declared and checked: a bad value is a 400 naming
the parameter and the reason (gis_core's convention), in OGC's exception shape (views)."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from ogc import crs as crs_module
from ogc.collections import Collection

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
FORMATS = ("json", "html")


@dataclass(frozen=True)
class Interval:
    """A ``datetime`` filter: from ``start`` (inclusive) to ``end`` (inclusive, or
    exclusive when ``end_exclusive``: a whole day ends at the next midnight). None: open."""

    start: dt.datetime | None
    end: dt.datetime | None
    end_exclusive: bool = False


class CrsField(serializers.CharField):
    default_error_messages = {"unknown": gettext_lazy("Unknown coordinate system %(crs)s; choose from %(choices)s.")}

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        found = crs_module.crs_for(text)
        if found is None:
            self.fail("unknown", crs=text, choices=", ".join(c.uri for c in crs_module.SUPPORTED))
        return found


class BBoxField(serializers.CharField):
    def to_internal_value(self, data) -> list[float]:
        text = super().to_internal_value(data)
        try:
            values = [float(v) for v in text.split(",")]
        except ValueError:
            values = []
        if len(values) == 6:  # minx,miny,minz,maxx,maxy,maxz: heights are not kept
            values = [values[0], values[1], values[3], values[4]]
        if len(values) != 4 or not all(math.isfinite(v) for v in values):
            raise serializers.ValidationError(_("Four numbers separated by commas: the lower corner, then the upper "
                                                "corner, in the order of the axes of bbox-crs."))
        if values[0] > values[2] or values[1] > values[3]:
            raise serializers.ValidationError(_("The lower corner comes first: minimum before maximum."))
        return values


def _moment(text: str, *, end: bool) -> tuple[dt.datetime, bool]:
    """An RFC 3339 date-time (local time when it names no offset) or a date (its
    midnight; as an end, the next midnight, exclusive)."""
    day = parse_date(text)  # first: parse_datetime takes a bare date for its midnight
    if day is None:
        moment = parse_datetime(text)
        if moment is None:
            raise ValueError(text)
        return (moment if timezone.is_aware(moment) else timezone.make_aware(moment)), False
    midnight = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=int(end)), dt.time()))
    return midnight, end


class DatetimeField(serializers.CharField):
    def to_internal_value(self, data) -> Interval:
        text = super().to_internal_value(data).strip()
        parts = text.split("/")
        try:
            if len(parts) == 1:
                start, _exclusive = _moment(parts[0], end=False)
                end, exclusive = _moment(parts[0], end=True)
                return Interval(start, end, exclusive)
            if len(parts) != 2:
                raise ValueError(text)
            start = None if parts[0] in ("", "..") else _moment(parts[0], end=False)[0]
            end, exclusive = (None, False) if parts[1] in ("", "..") else _moment(parts[1], end=True)
        except (ValueError, DjangoValidationError):
            raise serializers.ValidationError(_(
                "A date-time (2026-01-31T08:00:00+08:00), a date, or an interval start/end of them "
                "with .. for an open end.")) from None
        if start and end and start > end:
            raise serializers.ValidationError(_("The interval's start is after its end."))
        return Interval(start, end, exclusive)


class FormatQuerySerializer(serializers.Serializer):
    f = serializers.ChoiceField(choices=FORMATS, required=False)


class ItemQuerySerializer(FormatQuerySerializer):
    crs = CrsField(required=False)


class ItemsQuerySerializer(ItemQuerySerializer):
    limit = serializers.IntegerField(required=False, min_value=1, default=DEFAULT_LIMIT,
                                     help_text=f"default {DEFAULT_LIMIT}; more than {MAX_LIMIT} is {MAX_LIMIT}")
    offset = serializers.IntegerField(required=False, min_value=0, default=0)
    bbox = BBoxField(required=False)
    datetime = DatetimeField(required=False)

    def get_fields(self):
        return {**super().get_fields(), "bbox-crs": CrsField(required=False)}

    def validate(self, attrs):
        attrs["limit"] = min(attrs["limit"], MAX_LIMIT)  # OGC: a larger limit is served as the maximum
        if "bbox" in attrs:  # -> a polygon in the storage CRS
            try:
                attrs["bbox"] = attrs.get("bbox-crs", crs_module.DEFAULT).box(attrs["bbox"])
            except ValueError:
                raise serializers.ValidationError({"bbox": [
                    _("The box lies outside the area where bbox-crs is defined.")]}) from None
        return attrs


def property_filters(collection: Collection, params) -> dict[str, object]:
    """``?<queryable>=<value>``: {ORM path: value}. A property that is not queryable, or a
    value of the wrong type, is a 400 naming it; other parameters are left alone."""
    filters, errors = {}, {}
    for name in params:
        queryable = collection.queryables.get(name)
        if queryable is None:
            if name in collection.properties:
                errors[name] = [_("%(name)s is not queryable; see the collection's queryables.") % {"name": name}]
            continue
        raw = params[name]
        if isinstance(queryable.field, models.BooleanField):  # JSON's spelling too
            raw = {"true": "True", "false": "False"}.get(raw.lower(), raw)
        try:
            value = queryable.field.to_python(raw)
            if queryable.field.choices and value not in dict(queryable.field.flatchoices):
                raise DjangoValidationError(_("choose from %(choices)s") % {
                    "choices": ", ".join(str(v) for v, _label in queryable.field.flatchoices)})
        except DjangoValidationError as error:
            errors[name] = [_("Not a valid value: %(reason)s") % {"reason": " ".join(error.messages)}]
            continue
        filters[queryable.path] = value
    if errors:
        raise serializers.ValidationError(errors)
    return filters
