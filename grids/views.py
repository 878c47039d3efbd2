from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from assets.selectors import cell_people, people_with_current_home
from assets.serializers import PersonSerializer
from gis_core.api import GEO_FILTERS, HistoryActionMixin, ScopedViewSetMixin
from gis_core.maps import map_page_config
from gis_core.models import Area
from gis_core.pagination import GeoPagination, Pagination
from gis_core.roles import role_allows
from gis_core.scoping import scope_queryset
from grids.filters import GridCellFilter
from grids.models import GridCell
from grids.selectors import cells_with_leaders_and_counts
from grids.serializers import GridCellSerializer
from grids.stats import area_stats
from tiles.heat import all_metrics


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


class AreaStatsView(APIView):
    """Residents, key groups, buildings, houses and key sites of an area and of each of its
    sub-areas (drill-down: street → community → cell)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request, pk: int):
        area = get_object_or_404(scope_queryset(Area.objects.all(), request.user), pk=pk)
        return Response(area_stats(area=area, user=request.user))


@login_required
def official_console(request):
    """The street official's console: heatmaps, statistics and drill-down on the map."""
    top = scope_queryset(Area.objects.all(), request.user).order_by("level", "code").first()
    config = map_page_config(request, extra={
        "statsUrl": "/api/v1/area-stats/", "startArea": top.pk if top else None,
        # Heat metrics besides residents and key groups (incidents, alerts: other apps').
        "heatMetrics": [{"code": m.code, "title": str(m.title)} for m in all_metrics()
                        if m.code not in ("people", "tag") and role_allows(request.user, m.permission)],
        # Case metrics per sub-area this month (the incidents API), when the role reads cases.
        "caseMetricsUrl": "/api/v1/cases/metrics/" if role_allows(request.user, "incidents.view_case") else None,
        "consoleLabels": {
            "residents": _("residents"), "keyGroup": _("key group"), "buildings": _("buildings"),
            "houses": _("houses"), "keySites": _("key sites"), "heat": _("Heatmap"), "hexagons": _("Hexagons"),
            "total": _("total"), "subAreas": _("Sub-areas"), "noSubAreas": _("No sub-areas"),
            "noHeat": _("No heatmap for this choice."), "noCases": _("No cases this month."),
        },
    })
    return render(request, "grids/official_console.html", {"map_config": config, "start_area": top})
