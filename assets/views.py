"""REST endpoints of the spine. Thin: scope (gis_core.api_base), filter, serialize, and hand
writes to assets.services."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from assets import filters, selectors, services
from assets.models import Building, House, KeySite, KeySiteCategory, Organization, Person, PersonTag, Residence
from assets.quality import LEVELS, duplicate_groups, quality_report
from assets.serializers import (
    BuildingDetailSerializer,
    BuildingSerializer,
    HouseWithResidentsSerializer,
    KeySiteCategorySerializer,
    KeySiteSerializer,
    MoveOutSerializer,
    OrganizationSerializer,
    PersonSerializer,
    PersonTagSerializer,
    QualityAreaSerializer,
    QualityQuerySerializer,
    ResidenceSerializer,
    duplicate_groups_data,
)
from gis_core.api_base import GeoListMixin, HistoryActionMixin, ScopedViewSetMixin
from gis_core.pagination import Pagination
from gis_core.roles import role_allows


class BuildingViewSet(GeoListMixin, ScopedViewSetMixin, HistoryActionMixin, viewsets.ModelViewSet):
    """Buildings (楼栋) as GeoJSON. The detail nests houses and their current residents."""

    queryset = Building.objects.select_related("area")
    filterset_class = filters.BuildingFilter
    bbox_filter_field = "footprint"
    search_fields = ["name", "address"]
    ordering_fields = ["id", "name", "floors"]

    def get_queryset(self):
        qs = selectors.buildings_with_counts(super().get_queryset())
        if self.action == "retrieve":
            qs = selectors.building_houses_with_residents(qs)
        return qs

    def get_serializer_class(self):
        return BuildingDetailSerializer if self.action == "retrieve" else BuildingSerializer

    def perform_create(self, serializer):
        serializer.instance = services.building_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.building_update(
            actor=self.request.user, building=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.building_delete(actor=self.request.user, building=instance)


class HouseViewSet(ScopedViewSetMixin, HistoryActionMixin, viewsets.ModelViewSet):
    """Houses (房屋) with their current residents."""

    queryset = House.objects.select_related("building")
    serializer_class = HouseWithResidentsSerializer
    filterset_class = filters.HouseFilter
    search_fields = ["room", "building__name"]
    ordering_fields = ["id", "unit", "floor", "room"]

    def get_queryset(self):
        return selectors.houses_with_current_residents(super().get_queryset())

    def perform_create(self, serializer):
        serializer.instance = services.house_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.house_update(
            actor=self.request.user, house=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.house_delete(actor=self.request.user, house=instance)


class PersonViewSet(ScopedViewSetMixin, HistoryActionMixin, viewsets.ModelViewSet):
    """People (人口). ID numbers, phones, birth dates and sensitive tags are masked unless
    the role needs them; every unmasked read is logged."""

    queryset = Person.objects.prefetch_related("tags")
    serializer_class = PersonSerializer
    filterset_class = filters.PersonFilter
    search_fields = ["name"]
    ordering_fields = ["id", "name", "birth_date"]

    def get_queryset(self):
        return selectors.people_with_current_home(super().get_queryset())

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.person_create(
            actor=self.request.user, house=data.pop("house", None),
            relation=data.pop("relation", "family"), moved_in=data.pop("moved_in", None),
            tags=data.pop("tags", None), **data)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_update(self, serializer):
        services.person_update(actor=self.request.user, person=serializer.instance, **serializer.validated_data)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_destroy(self, instance):
        services.person_delete(actor=self.request.user, person=instance)


class ResidenceViewSet(ScopedViewSetMixin, HistoryActionMixin, viewsets.ModelViewSet):
    """Who lives where (人房关联). POST records a move in; ``move_out`` ends a residence."""

    queryset = Residence.objects.select_related("person", "house")
    serializer_class = ResidenceSerializer
    filterset_class = filters.ResidenceFilter
    ordering_fields = ["id", "moved_in"]
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.residence_move_in(
            actor=self.request.user, person=data["person"], house=data["house"], relation=data["relation"],
            moved_in=data["moved_in"], primary=data.get("is_primary", True))

    @extend_schema(request=MoveOutSerializer, responses=ResidenceSerializer)
    @action(detail=True, methods=["post"], url_path="move-out")
    def move_out(self, request, pk=None):
        body = MoveOutSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        residence = services.residence_move_out(actor=request.user, residence=self.get_object(),
                                                moved_out=body.validated_data["moved_out"])
        return Response(ResidenceSerializer(residence, context=self.get_serializer_context()).data)


class OrganizationViewSet(GeoListMixin, ScopedViewSetMixin, HistoryActionMixin, viewsets.ModelViewSet):
    """Organizations (组织) as GeoJSON points."""

    queryset = Organization.objects.select_related("area")
    serializer_class = OrganizationSerializer
    filterset_class = filters.OrganizationFilter
    bbox_filter_field = "location"
    search_fields = ["name", "address"]
    ordering_fields = ["id", "name"]

    def perform_create(self, serializer):
        serializer.instance = services.organization_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.organization_update(
            actor=self.request.user, organization=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.organization_delete(actor=self.request.user, organization=instance)


class KeySiteViewSet(GeoListMixin, ScopedViewSetMixin, HistoryActionMixin, viewsets.ModelViewSet):
    """Key sites, special trades and facilities (重点场所/特种行业/重点设施): points or polygons."""

    queryset = KeySite.objects.select_related("area", "category")
    serializer_class = KeySiteSerializer
    filterset_class = filters.KeySiteFilter
    bbox_filter_field = "geometry"
    search_fields = ["name"]
    ordering_fields = ["id", "name", "risk_level"]

    def perform_create(self, serializer):
        serializer.instance = services.key_site_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.key_site_update(
            actor=self.request.user, key_site=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.key_site_delete(actor=self.request.user, key_site=instance)


class PersonTagViewSet(viewsets.ModelViewSet):
    """The configurable key-group tags (no area: the same for the whole district)."""

    queryset = PersonTag.objects.all()
    serializer_class = PersonTagSerializer
    pagination_class = None

    def perform_create(self, serializer):
        serializer.instance = services.person_tag_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.person_tag_update(tag=serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.person_tag_delete(tag=instance)


class KeySiteCategoryViewSet(viewsets.ModelViewSet):
    """The configurable categories of key sites (no area)."""

    queryset = KeySiteCategory.objects.all()
    serializer_class = KeySiteCategorySerializer
    pagination_class = None

    def perform_create(self, serializer):
        serializer.instance = services.key_site_category_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.key_site_category_update(category=serializer.instance,
                                                                **serializer.validated_data)

    def perform_destroy(self, instance):
        services.key_site_category_delete(category=instance)


# --------------------------------------------------------------------------- data quality

class ReadsPeople(permissions.BasePermission):
    """The quality rates count people: roles that read the people list."""

    def has_permission(self, request, view):
        return role_allows(request.user, "assets.view_person")


def _area_brief(area) -> dict | None:
    return area and {"id": area.pk, "code": area.code, "name": area.name, "level": area.level}


class QualityView(APIView):
    """Entry rates (录入率), duplicate candidates and cells not visited, per street,
    community or grid cell of your areas, with the total (definitions: assets.quality)."""

    permission_classes = [ReadsPeople]

    @extend_schema(parameters=[QualityQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        query = QualityQuerySerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        by, area, days = query.validated_data["by"], query.validated_data.get("area"), query.validated_data["days"]
        report = quality_report(user=request.user, area=area, levels=[LEVELS[by]], days=days)
        return Response({"by": by, "area": _area_brief(area), "days": days, "visits_recorded": report.visits_recorded,
                         "rows": report.rows[LEVELS[by]], "total": report.total})


class DuplicatesView(APIView):
    """Duplicate candidates: people whose home is in the same building, with the same name
    and birth date (an ID number cannot occur twice: it is unique). Personal data masked
    unless your role needs it; reads recorded."""

    permission_classes = [ReadsPeople]
    pagination_class = Pagination

    @extend_schema(parameters=[QualityAreaSerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        query = QualityAreaSerializer(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        # Candidates are few: one pass (a COUNT would run the grouping twice), paged here.
        groups = list(duplicate_groups(user=request.user, area=query.validated_data.get("area")))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(groups, request, view=self)
        return paginator.get_paginated_response(duplicate_groups_data(request, page))
