"""The core's API: areas, the signed-in user, the personal-data access log."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_core import services
from gis_core.api_base import GeoListMixin, HistoryActionMixin, ScopedViewSetMixin
from gis_core.filters import AreaFilter, PersonalDataAccessFilter
from gis_core.models import Area, PersonalDataAccess
from gis_core.roles import AUDIT_ROLES
from gis_core.serializers import AreaSerializer, DutySerializer, MeSerializer, PersonalDataAccessSerializer


class AreaViewSet(GeoListMixin, ScopedViewSetMixin, HistoryActionMixin, viewsets.ModelViewSet):
    """Districts, streets, communities and grid cells of the user's areas, as GeoJSON."""

    queryset = Area.objects.select_related("parent")
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    bbox_filter_field = "boundary"
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name", "level"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.area_create(
            code=data["code"], name=data["name"], level=data["level"],
            parent=data.get("parent"), boundary=data["boundary"], actor=self.request.user)

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.area_update(
            area=serializer.instance, name=data.get("name"), boundary=data.get("boundary"))

    def perform_destroy(self, instance):
        services.area_delete(area=instance)


class MeView(APIView):
    """The signed-in user: role, areas and whether personal data is shown to them."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=DutySerializer, responses=MeSerializer)
    def patch(self, request):
        """Go on or off duty (grid leaders and dispatchers): ``{"on_duty": true}``."""
        data = DutySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_duty_set(user=request.user, on_duty=data.validated_data["on_duty"])
        return Response(MeSerializer(request.user).data)


class IsAuditor(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return user.is_authenticated and (user.role in AUDIT_ROLES or (user.is_superuser and not user.role))


class PersonalDataAccessViewSet(ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The personal-data access log (district administrators): who read whose ID number,
    phone or health tags, when, through which page or endpoint."""

    queryset = PersonalDataAccess.objects.select_related("content_type")
    serializer_class = PersonalDataAccessSerializer
    permission_classes = [IsAuditor]
    filterset_class = PersonalDataAccessFilter
    search_fields = ["record", "username", "channel"]
    ordering_fields = ["at"]

