from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from assets.selectors import cell_people, people_with_current_home
from assets.serializers import PersonSerializer
from gis_core.api_base import GeoListMixin, HistoryActionMixin, ScopedViewSetMixin, path_id
from gis_core.models import Area
from gis_core.pagination import Pagination
from gis_core.replicas import replica_view
from gis_core.scoping import scope_queryset
from grids import services
from grids.area_stats import area_stats
from grids.filters import GridCellFilter
from grids.models import GridCell, Visit, VisitPhoto
from grids.selectors import cell_tasks, cells_with_leaders_and_counts
from grids.serializers import GridCellSerializer, TasksQuerySerializer, VisitRecordSerializer, VisitSerializer


class GridCellViewSet(GeoListMixin, ScopedViewSetMixin, HistoryActionMixin, viewsets.ReadOnlyModelViewSet):
    """Grid cells (网格) with their leaders and counts of buildings, houses and people.
    Boundaries are edited through /api/v1/areas/."""

    queryset = GridCell.objects.select_related("parent")
    serializer_class = GridCellSerializer
    filterset_class = GridCellFilter
    bbox_filter_field = "boundary"
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return cells_with_leaders_and_counts(super().get_queryset())

    @extend_schema(responses=PersonSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], serializer_class=PersonSerializer, pagination_class=Pagination,
            filter_backends=[])
    def people(self, request, pk=None):
        """People currently living in the cell (personal data masked by role)."""
        cell = self.get_object()
        people = people_with_current_home(scope_queryset(cell_people(cell), request.user))
        page = self.paginate_queryset(people.prefetch_related("tags").order_by("id"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class AreaStatsView(APIView):
    """Residents, key groups, buildings, houses and key sites of an area and of each of its
    sub-areas (drill-down: street → community → cell)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @replica_view
    def get(self, request, pk: int):
        area = get_object_or_404(scope_queryset(Area.objects.all(), request.user), pk=pk)
        return Response(area_stats(area=area, user=request.user))


class VisitViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    """Visits (走访记录) and public-sentiment notes (民情日志) in the user's cells, newest
    first; ``?person=``, ``?house=``, ``?kind=``. POST records one (JSON or multipart with
    ``photos``; ``lon``/``lat`` the GPS fix)."""

    queryset = Visit.objects.select_related("visitor", "person", "house__building", "cell").prefetch_related("photos")
    serializer_class = VisitSerializer
    pagination_class = Pagination
    filterset_fields = ["person", "house", "kind", "cell"]
    ordering_fields = ["visited_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=VisitRecordSerializer, responses={201: VisitSerializer})
    def create(self, request):
        data = dict(request.data.items())
        if request.FILES:
            data["photos"] = request.FILES.getlist("photos")
        body = VisitRecordSerializer(data=data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        visit = services.visit_record(actor=request.user, **body.validated_data)
        return Response(VisitSerializer(self.get_queryset().get(pk=visit.pk)).data, status=201)

    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_id>\d+)", url_name="photo")
    def photo(self, request, pk=None, photo_id=None):
        photo = get_object_or_404(VisitPhoto, pk=path_id(photo_id, field="photo_id"), visit=self.get_object())
        return FileResponse(photo.file.open("rb"), content_type=photo.content_type)


class MyTasksView(APIView):
    """My tasks (``?days=30``): elders living alone not visited for that many days, houses
    with no resident recorded, people with unverified ID numbers — counts and the first 50."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[TasksQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        query = TasksQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        days = query.validated_data["days"]
        tasks = cell_tasks(request.user, days=days)
        return Response({"days": days, **{name: {"count": qs.count(), "items": [
            {"id": obj.pk, "label": str(obj), "last_visit": getattr(obj, "last_visit", None)} for obj in qs[:50]]}
            for name, qs in tasks.items()}})

