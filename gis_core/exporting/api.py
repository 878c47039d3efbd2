"""Export endpoints: ``export`` on the list viewsets (ExportActionMixin) and whole map
layers by name (LayerExportView)."""
from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import permissions
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from gis_core.exporting.formats import FORMATS
from gis_core.exporting.tables import ExportFile, Source, queryset_export
from gis_core.roles import role_allows
from gis_core.scoping import scope_queryset

FIELDS_PARAMETER = OpenApiParameter(
    "fields", str, description="comma-separated columns to export, in this order (default: all)")
FORMAT_PARAMETER = OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=list(FORMATS),
                                    description="geojson, gpkg (GeoPackage), shp (zipped Shapefile), csv or xlsx")
FILE_RESPONSE = {(200, "application/octet-stream"): OpenApiResponse(
    OpenApiTypes.BINARY, description="GeoJSON, GeoPackage, zipped Shapefile, CSV or XLSX")}


class AnyAccept(BaseContentNegotiation):
    """A download answers whatever the client accepts (and ``?format=`` is not DRF's
    renderer switch here); errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def export_response(export: ExportFile) -> FileResponse:
    response = FileResponse(export.file, as_attachment=True, filename=export.filename,
                            content_type=export.content_type)
    response["X-Export-Rows"] = str(export.rows)
    return response


def pick_columns(columns: dict[str, Source], wanted: str | None) -> dict[str, Source]:
    """``?fields=name,category``: those columns, in that order; unknown names are a 400."""
    if not wanted:
        return columns
    names = [n.strip() for n in wanted.split(",") if n.strip()]
    unknown = [n for n in names if n not in columns]
    if unknown:
        raise ValidationError({"fields": [_("Unknown field %(fields)s; choose from %(choices)s.") % {
            "fields": ", ".join(unknown), "choices": ", ".join(columns)}]})
    return {n: columns[n] for n in names}


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404(_("No export format %(format)s.") % {"format": fmt})
    return fmt


class ExportActionMixin:
    """``GET <list>/export.<fmt>``: the list as a file — the same rows as the list
    (``filter_queryset(get_queryset())``: scoping and every filter, search and ordering),
    all pages. Subclasses (lists.py) set ``export_spec``."""

    export_spec = None  # lists.ListExport
    content_negotiation_class = AnyAccept

    def export(self, request, fmt: str):
        spec = self.export_spec
        queryset = self.filter_queryset(self.get_queryset())
        if spec.prepare is not None:
            queryset = spec.prepare(queryset)
        export = queryset_export(
            queryset=queryset, columns=pick_columns(spec.columns_for(request.user), request.query_params.get("fields")),
            geometry=spec.geometry, fmt=_format(fmt), request=request, name=spec.name,
            audits=spec.audits_for(request.user))
        return export_response(export)


class LayerExportView(APIView):
    """``GET /api/v1/export/<layer>.<fmt>``: every feature of a map layer (tiles.layers)
    in the user's areas, with the layer's attributes (those of its highest zoom)."""

    permission_classes = [permissions.IsAuthenticated]
    content_negotiation_class = AnyAccept

    @extend_schema(operation_id="layer_export", parameters=[FORMAT_PARAMETER, FIELDS_PARAMETER],
                   responses=FILE_RESPONSE)
    def get(self, request, layer: str, fmt: str):
        from tiles.layers import layer_for

        tile_layer = layer_for(layer)
        if tile_layer is None:
            raise Http404(_("No map layer named %(name)s.") % {"name": layer})
        if not role_allows(request.user, tile_layer.permission):
            raise PermissionDenied
        queryset = scope_queryset(tile_layer.queryset(), request.user)
        if tile_layer.restrict is not None:
            queryset = tile_layer.restrict(queryset, request.user)
        columns: dict[str, Source] = {"id": "pk", **tile_layer.attributes_at(tile_layer.maxzoom)}
        export = queryset_export(
            queryset=queryset.order_by("pk"), columns=pick_columns(columns, request.query_params.get("fields")),
            geometry=tile_layer.geometry, fmt=_format(fmt), request=request, name=tile_layer.name)
        return export_response(export)
