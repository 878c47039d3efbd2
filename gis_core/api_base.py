"""Building blocks every API view uses: errors that name the field, area scoping,
personal-data masking and the history action. (Permissions and pagination, which DRF
imports while it loads, live in gis_core.permissions and gis_core.pagination.)"""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework_gis.filters import InBBoxFilter

from gis_core.pagination import GeoPagination
from gis_core.personal_data import record_area_id, reveal
from gis_core.scoping import scope_queryset

# Filters of every GeoJSON list: fields, ?search=, ?ordering=, ?in_bbox=minx,miny,maxx,maxy
GEO_FILTERS = [DjangoFilterBackend, SearchFilter, OrderingFilter, InBBoxFilter]


class GeoListMixin:
    """A list of map features: GeoJSON FeatureCollection pages (``count``, ``next``,
    ``previous``) and the filters of every spatial list — the filterset's fields,
    ``?search=``, ``?ordering=`` and ``?in_bbox=`` on ``bbox_filter_field``."""

    pagination_class = GeoPagination
    filter_backends = GEO_FILTERS
    bbox_filter_field: str  # the geometry ?in_bbox= filters on


def exception_handler(exc, context):
    """Model-layer errors become 400/409 answers that name the field and the reason."""
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


class ScopedViewSetMixin:
    """Limits every list, detail, update and delete to the signed-in user's areas: an
    object outside them is a 404, exactly as if it did not exist."""

    def get_queryset(self):
        return scope_queryset(super().get_queryset(), self.request.user)


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
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        from gis_core.selectors import record_history

        obj = self.get_object()
        return Response(HistoryEntrySerializer(record_history(obj=obj, request=request), many=True).data)

