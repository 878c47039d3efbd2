"""Building blocks every API view uses: errors that name the field, area scoping,
personal-data masking and the history action. (Permissions and pagination, which DRF
imports while it loads, live in gis_core.permissions and gis_core.pagination.)"""
from __future__ import annotations

import math
from collections.abc import Mapping

from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework_gis.filters import InBBoxFilter
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from gis_core.conflicts import VersionConflict
from gis_core.filters import PersonalDataFilterBackend, PersonalDataOrderingFilter
from gis_core.pagination import GeoPagination
from gis_core.personal_data import record_area_id, reveal
from gis_core.scoping import scope_queryset


class BBoxFilter(InBBoxFilter):
    """``?in_bbox=minLon,minLat,maxLon,maxLat``: the features that intersect the box (as
    OGC API bbox, so a map view gets the cells it shows a part of). A malformed box is a
    400 naming ``in_bbox``, never a geometry error."""

    def get_filter_bbox(self, request):
        text = request.query_params.get(self.bbox_param)
        if not text:
            return None
        try:
            values = [float(v) for v in text.split(",")]
        except ValueError:
            values = []
        if len(values) != 4 or not all(math.isfinite(v) for v in values):
            raise exceptions.ValidationError({self.bbox_param: [
                _("Four numbers: minimum longitude, minimum latitude, maximum longitude, maximum latitude.")]})
        x0, y0, x1, y1 = values
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            raise exceptions.ValidationError({self.bbox_param: [
                _("Longitudes within −180…180 and latitudes within −90…90, minimum before maximum.")]})
        return Polygon.from_bbox(values)

    def filter_queryset(self, request, queryset, view):
        # Intersects, exactly (index-backed): a context layer needs every feature the view
        # shows a part of, including a cell that holds the whole view — and no feature
        # whose bounding box alone touches it.
        field = getattr(view, "bbox_filter_field", None)
        bbox = self.get_filter_bbox(request) if field else None
        if bbox is None:
            return queryset
        return queryset.filter(**{f"{field}__intersects": bbox})


# Filters of every GeoJSON list: fields, ?search=, ?ordering=, ?in_bbox=minx,miny,maxx,maxy
GEO_FILTERS = [PersonalDataFilterBackend, SearchFilter, PersonalDataOrderingFilter, BBoxFilter]


class GeoListMixin:
    """A list of map features: GeoJSON FeatureCollection pages (``count``, ``next``,
    ``previous``) and the filters of every spatial list — the filterset's fields,
    ``?search=``, ``?ordering=`` and ``?in_bbox=`` on ``bbox_filter_field``."""

    pagination_class = GeoPagination
    filter_backends = GEO_FILTERS
    bbox_filter_field: str  # the geometry ?in_bbox= filters on


def exception_handler(exc, context):
    """Model-layer errors become 400/409 answers that name the field and the reason."""
    if isinstance(exc, VersionConflict):
        return Response(exc.answer(), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, ProtectedError):
        blocking = ", ".join(sorted({str(o) for o in list(exc.protected_objects)[:5]}))
        return Response({"detail": _("Still referenced by: %(objects)s") % {"objects": blocking}},
                        status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, IntegrityError):
        return Response({"detail": _("Conflicts with existing data: %(error)s") % {"error": str(exc).splitlines()[0]}},
                        status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


def conflict_schema(name: str, **current: serializers.Serializer) -> serializers.Serializer:
    """The OpenAPI shape of a 409 answer (gis_core.conflicts.VersionConflict.answer):
    ``detail``, ``version`` and the current record under the view's key."""
    return inline_serializer(name, {"detail": serializers.CharField(), "version": serializers.IntegerField(),
                                    **current})


# The error bodies exception_handler (and gis_core.errors, gis_core.input_guard) answer.
ERROR_SCHEMAS = {
    "Error": {
        "type": "object", "required": ["detail"],
        "properties": {"detail": {"type": "string"}},
        "description": gettext_lazy("What went wrong, in the user's language."),
    },
    "ValidationError": {
        "description": gettext_lazy(
            "The fields (or parameters) refused, each with its reasons: {field: [reason, …]}; nested "
            "records nest; “detail” for a body that could not be read; a list of reasons for the whole request."),
        "oneOf": [
            {"type": "object", "additionalProperties": {}},
            {"type": "array", "items": {"type": "string"}},
        ],
    },
}
# (status, body, description) every operation may answer, besides its own.
ERROR_RESPONSES = [
    ("400", "ValidationError", gettext_lazy("Input refused: the fields or parameters and why.")),
    ("401", "Error", gettext_lazy("Not signed in.")),
    ("403", "Error", gettext_lazy("Signed in, but the role may not do this.")),
    ("404", "Error", gettext_lazy("No such record in your areas (or no such page).")),
]
# …and every write: the record is still referenced, or conflicts with another.
WRITE_ERROR_RESPONSES = [("409", "Error", gettext_lazy("Conflicts with existing data, or still referenced."))]
# …and views that limit how often they answer (``may_throttle = True``: sign-in, public tracking).
THROTTLED_RESPONSES = [("429", "Error", gettext_lazy("Too many requests; try again after Retry-After seconds."))]


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema with the errors every operation can answer declared once
    (the answers of exception_handler): a client, and the schema-driven fuzz test
    (tests/test_api_fuzz.py), know every status code and body the API may send."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = ERROR_RESPONSES + (WRITE_ERROR_RESPONSES if self.method != "GET" else []) + (
            THROTTLED_RESPONSES if getattr(self.view, "may_throttle", False) else [])
        for code, name, description in errors:
            if code not in responses:
                responses[code] = {"description": description,
                                   "content": {"application/json": {"schema": self._error_component(name)}}}
        return responses

    def _error_component(self, name: str) -> dict:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name,
                                      schema=ERROR_SCHEMAS[name])
        self.registry.register_on_missing(component)
        return component.ref


def path_id(value, *, field: str = "id") -> int:
    """A record id from the URL: a whole number, else a 400 naming ``field``."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise exceptions.ValidationError({field: [_("An id is a whole number.")]})
    return int(text)


class AtomicWritesMixin:
    """Writes (POST, PUT, PATCH, DELETE) run in one transaction, answer included: a
    failure after a service has written leaves nothing behind."""

    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)


class ScopedViewSetMixin(AtomicWritesMixin):
    """Limits every list, detail, update and delete to the signed-in user's areas: an
    object outside them is a 404, exactly as if it did not exist. A malformed id is a 400
    naming ``id``. Writes are atomic (AtomicWritesMixin)."""

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.request.user)

    def get_object(self):
        lookup = self.lookup_url_kwarg or self.lookup_field
        if lookup in self.kwargs and lookup == "pk":
            path_id(self.kwargs[lookup])
        return super().get_object()


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference to another record that must be within the user's areas."""

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.context["request"].user)


class PersonalDataSerializerMixin:
    """Masks the model's ``personal_fields`` ({field: mask kind}) unless the role needs
    them; unmasked reads are recorded (gis_core.personal_data)."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        props = data.get("properties", data) if isinstance(data, dict) else data
        area_id = record_area_id(instance)
        for field, kind in getattr(instance, "personal_fields", {}).items():
            if props.get(field):
                props[field] = reveal(request, instance, field, props[field], kind=kind, area_id=area_id)
        return data


class ChoiceLabelField(serializers.CharField):
    """The label of a choice field's value, in the user's language (``source`` names the
    model field): what ``get_<field>_display`` gives, without DRF inspecting that method's
    signature for every row (over a third of the time of serializing a page of cases)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        model_field = parent.Meta.model._meta.get_field(self.source)
        self.labels = dict(model_field.flatchoices)

    def to_representation(self, value):
        return str(self.labels.get(value, value))


class GeoFeatureSerializer(GeoFeatureModelSerializer):
    """A record as a GeoJSON Feature. Input whose ``properties`` is not an object (a form
    field, a list, text) is a 400 naming ``properties``: rest_framework_gis would index
    into it and fail with a server error."""

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):  # "Expected a dictionary" (400), as any serializer
            return serializers.ModelSerializer.to_internal_value(self, data)
        if "properties" in data and not isinstance(data["properties"], Mapping):
            raise serializers.ValidationError({"properties": [_("A Feature's properties are an object of fields.")]})
        return super().to_internal_value(data)


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    event = serializers.CharField()
    user = serializers.CharField(allow_null=True)
    url = serializers.CharField(allow_null=True)
    changes = serializers.DictField(child=serializers.ListField())


class HistoryActionMixin:
    """``GET …/{id}/history/``: who changed which fields of this record, when, from what
    to what (痕迹). Personal fields are masked as everywhere else."""

    @extend_schema(responses=HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        from gis_core.selectors import record_history

        obj = self.get_object()
        return Response(HistoryEntrySerializer(record_history(obj=obj, request=request), many=True).data)

