"""Endpoints of the dispatcher's console and the terminal registry. Thin: scope (gis_core),
select (iot.selectors), serialize, and hand writes to iot.services."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gis_core.api_base import ScopedViewSetMixin, conflict_schema, path_id
from gis_core.conflicts import VersionConflict
from gis_core.pagination import GeoPagination, Pagination
from gis_core.roles import role_allows
from iot import selectors, services
from iot.models import Alert, IngestCount, QuarantinedMessage, Terminal
from iot.serializers import (
    TRACK_SCHEMA,
    AdvanceSerializer,
    AlertDetailSerializer,
    AlertQuerySerializer,
    AlertSerializer,
    IngestCountSerializer,
    LiveTerminalSerializer,
    QuarantinedMessageSerializer,
    TrackQuerySerializer,
)


class AlertViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Alerts of the user's areas (by the elder's home cell). ``?state=open`` (default),
    ``closed`` or ``all``; ``?kind=sos``. The detail adds the elder, the device, family
    contacts, the nearest responders and the log."""

    queryset = Alert.objects.all()
    pagination_class = GeoPagination
    filter_backends = []

    @extend_schema(parameters=[AlertQuerySerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            return qs
        query = AlertQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.alerts_filter(qs, **query.validated_data)

    def get_serializer_class(self):
        return AlertDetailSerializer if self.action == "retrieve" else AlertSerializer

    def retrieve(self, request, pk=None):
        try:
            alert = selectors.alert_detail(self.get_queryset(), path_id(pk))
        except Alert.DoesNotExist:
            raise Http404 from None
        responders = selectors.responders_nearest(alert, viewer=request.user)
        context = {**self.get_serializer_context(), "responders": responders}
        return Response(AlertDetailSerializer(alert, context=context).data)

    @extend_schema(request=AdvanceSerializer, responses={200: AlertSerializer, 409: conflict_schema("AlertConflict", alert=AlertSerializer())})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def advance(self, request, pk=None):
        """Take a lifecycle step: acknowledge, dispatch, on_scene, resolve or false_alarm,
        with an optional note. Send the ``version`` you saw: if the alert changed
        meanwhile the answer is 409 with ``detail``, ``version`` and the current ``alert``
        (as for cases)."""
        body = AdvanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        alert = self.get_object()
        try:
            alert = services.alert_advance(actor=request.user, alert=alert, **body.validated_data)
        except VersionConflict as conflict:
            current = AlertSerializer(conflict.record, context=self.get_serializer_context()).data
            return Response(conflict.answer(alert=current), status=status.HTTP_409_CONFLICT)
        return Response(AlertSerializer(alert, context=self.get_serializer_context()).data)


class TerminalViewSet(ScopedViewSetMixin, viewsets.GenericViewSet, mixins.ListModelMixin):
    """Terminals with their last position (GeoJSON), for the live map layer; ``track``
    gives a terminal's fixes over a period (playback)."""

    queryset = Terminal.objects.all()
    serializer_class = LiveTerminalSerializer  # describes the features of ``list`` (OpenAPI)
    pagination_class = None
    filter_backends = []

    def list(self, request):
        return Response(selectors.terminals_live(self.get_queryset()))

    @extend_schema(parameters=[TrackQuerySerializer], responses={200: TRACK_SCHEMA})
    @action(detail=True, methods=["get"])
    def track(self, request, pk=None):
        """Drawable fixes between ``since`` and ``until`` (ISO 8601; default the last 30
        minutes; at most 7 days) as a GeoJSON LineString plus the fixes as points."""
        terminal = self.get_object()
        query = TrackQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        since, until = query.validated_data["since"], query.validated_data["until"]
        fixes = selectors.track(terminal, since=since, until=until)
        points = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]},
                   "properties": {"time": t.isoformat(), "accuracy_m": acc, "speed_kmh": spd, "zone": zone}}
                  for t, x, y, acc, spd, zone in fixes]
        line = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[f[1], f[2]] for f in fixes]},
                "properties": {"terminal": terminal.pk, "since": since.isoformat(), "until": until.isoformat()}}
        return Response({"type": "FeatureCollection", "features": [line, *points] if len(fixes) > 1 else points})



class QuarantineViewSet(viewsets.ReadOnlyModelViewSet):
    """Messages the ingester could not use, newest first, and (``counts``) messages per
    day, format and outcome. For administrators: quarantined messages belong to no area."""

    queryset = QuarantinedMessage.objects.all()
    serializer_class = QuarantinedMessageSerializer
    pagination_class = Pagination
    filter_backends = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not (request.user.is_superuser or role_allows(request.user, "iot.view_quarantinedmessage")):
            raise PermissionDenied

    @extend_schema(responses=IngestCountSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def counts(self, request):
        rows = IngestCount.objects.order_by("-day", "format", "outcome")[:500]
        return Response(IngestCountSerializer(rows, many=True).data)
