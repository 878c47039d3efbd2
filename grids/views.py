from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action

from assets.selectors import cell_people, people_with_current_home
from assets.serializers import PersonSerializer
from gis_core.api import GEO_FILTERS, HistoryActionMixin, ScopedViewSetMixin
from gis_core.pagination import GeoPagination, Pagination
from gis_core.scoping import scope_queryset
from grids.filters import GridCellFilter
from grids.models import GridCell
from grids.selectors import cells_with_leaders_and_counts
from grids.serializers import GridCellSerializer


class GridCellViewSet(ScopedViewSetMixin, HistoryActionMixin, viewsets.ReadOnlyModelViewSet):
    """Grid cells (网格) with their leaders and counts of buildings, houses and people.
    Boundaries are edited through /api/v1/areas/."""

    queryset = GridCell.objects.select_related("parent")
    serializer_class = GridCellSerializer
    pagination_class = GeoPagination
    filter_backends = GEO_FILTERS
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
