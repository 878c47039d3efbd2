"""Vector tiles, TileJSON and the list of layers (plain Django views: the tile path is hot),
the map's place search (the API's /search/) and the export of a whole layer."""
from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_core.exporting.api import (
    FIELDS_PARAMETER,
    FILE_RESPONSE,
    FORMAT_PARAMETER,
    AnyAccept,
    export_format,
    export_response,
    pick_columns,
)
from gis_core.exporting.tables import Source, queryset_export
from gis_core.replicas import replica_view
from gis_core.roles import role_allows
from gis_core.scoping import scope_queryset
from gis_core.selectors import user_areas_bounds
from tiles.auth import refuse
from tiles.layers import TileLayer, all_layers, layer_for
from tiles.mvt import tile_get
from tiles.search import places_search
from tiles.tilemath import tile_valid

MVT_TYPE = "application/vnd.mapbox-vector-tile"


def _layer(name: str) -> TileLayer:
    layer = layer_for(name)
    if layer is None:
        raise Http404(_("No tile layer named %(name)s.") % {"name": name})
    return layer


def _cache_control(layer: TileLayer) -> str:
    # Tiles differ per user (scope): private. Cached layers revalidate with the ETag on
    # every use, so an edit shows at once; live layers are never stored.
    return "private, no-cache" if layer.cached else "no-store"


@require_GET
@replica_view
def tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> HttpResponse:
    tile_layer = _layer(layer)
    if denied := refuse(request, tile_layer.permission):
        return denied
    if not tile_valid(z, x, y):
        return JsonResponse({"tile": [_("No tile %(z)s/%(x)s/%(y)s.") % {"z": z, "x": x, "y": y}]}, status=400)
    headers = {"Cache-Control": _cache_control(tile_layer), "Vary": "Cookie, Authorization"}
    if not tile_layer.minzoom <= z <= tile_layer.maxzoom:
        return HttpResponse(status=204, headers=headers)
    result = tile_get(tile_layer, request.user, z, x, y)
    headers["ETag"] = f'"{result.etag}"'
    if request.headers.get("If-None-Match") == headers["ETag"]:
        return HttpResponse(status=304, headers=headers)
    if not result.data:
        return HttpResponse(status=204, headers=headers)
    headers["Vary"] += ", Accept-Encoding"
    if "gzip" in request.headers.get("Accept-Encoding", ""):  # browsers, MapLibre, QGIS, GDAL
        headers["Content-Encoding"] = "gzip"
        return HttpResponse(result.data, content_type=MVT_TYPE, headers=headers)
    return HttpResponse(result.mvt, content_type=MVT_TYPE, headers=headers)


def _tilejson(request: HttpRequest, layer: TileLayer, bounds: list[float] | None) -> dict:
    template = request.build_absolute_uri(f"/tiles/{layer.name}/") + "{z}/{x}/{y}.pbf"
    document = {
        "tilejson": "3.0.0", "name": str(layer.title), "description": str(layer.description),
        "scheme": "xyz", "tiles": [template], "minzoom": layer.minzoom, "maxzoom": layer.maxzoom,
        "vector_layers": [{"id": layer.name, "description": str(layer.description), "minzoom": layer.minzoom,
                           "maxzoom": layer.maxzoom, "fields": layer.fields()}],
    }
    if bounds:
        document["bounds"] = bounds
        document["center"] = [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, layer.minzoom]
    return document


@require_GET
def tilejson(request: HttpRequest, layer: str) -> JsonResponse:
    tile_layer = _layer(layer)
    if denied := refuse(request, tile_layer.permission):
        return denied
    return JsonResponse(_tilejson(request, tile_layer, user_areas_bounds(request.user, tile_layer.model)))


@require_GET
def index(request: HttpRequest) -> JsonResponse:
    """The layers this user may read, with their TileJSON."""
    if denied := refuse(request):
        return denied
    user = request.user
    bounds = {False: user_areas_bounds(user)}

    def layer_bounds(layer: TileLayer) -> list[float] | None:
        # Base data (roads: scope_shared) reaches the whole districts: tiles asked further out.
        shared = getattr(layer.model, "scope_shared", False)
        if shared not in bounds:
            bounds[shared] = user_areas_bounds(user, layer.model)
        return bounds[shared]

    return JsonResponse({"bounds": bounds[False], "layers": [
        {**_tilejson(request, layer, layer_bounds(layer)),
         "id": layer.name, "title": str(layer.title), "live": not layer.cached,
         "visible": layer.visible, "style": layer.style, "labels": layer.labels, "detail_url": layer.detail_url,
         "legend": [[str(label), color] for label, color in layer.legend]}
        for layer in all_layers() if role_allows(user, layer.permission)
    ]})


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_title = serializers.CharField()
    id = serializers.IntegerField()
    label = serializers.CharField()
    detail = serializers.CharField()
    bbox = serializers.ListField(child=serializers.FloatField(), min_length=4, max_length=4)


class SearchView(APIView):
    """Places by name, address or code within your areas, for the map's search box."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("q", str, description="at least two characters")],
                   responses=SearchResultSerializer(many=True))
    @replica_view
    def get(self, request):
        return Response(places_search(user=request.user, query=request.query_params.get("q", "")))


class LayerExportView(APIView):
    """``GET /api/v1/export/<layer>.<fmt>``: every feature of a map layer (tiles/layers.py)
    in the user's areas, with the layer's attributes (those of its highest zoom)."""

    permission_classes = [permissions.IsAuthenticated]
    content_negotiation_class = AnyAccept

    @extend_schema(operation_id="layer_export", parameters=[FORMAT_PARAMETER, FIELDS_PARAMETER],
                   responses=FILE_RESPONSE)
    @replica_view
    def get(self, request, layer: str, fmt: str):
        tile_layer = layer_for(layer)
        if tile_layer is None:
            raise Http404(_("No map layer named %(name)s.") % {"name": layer})
        if not role_allows(request.user, tile_layer.permission):
            raise PermissionDenied
        queryset = scope_queryset(tile_layer.queryset(), request.user)
        columns: dict[str, Source] = {"id": "pk", **tile_layer.attributes_at(tile_layer.maxzoom)}
        export = queryset_export(
            queryset=queryset.order_by("pk"), columns=pick_columns(columns, request.query_params.get("fields")),
            geometry=tile_layer.geometry, fmt=export_format(fmt), request=request, name=tile_layer.name)
        return export_response(export)
