"""Export endpoints: ``export`` on the list viewsets (ExportActionMixin), and the pieces
other exports reuse (the map layers' export is tiles.views.LayerExportView)."""
from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation

from gis_core.exporting.formats import FORMATS
from gis_core.exporting.tables import ExportFile, Source, queryset_export
from gis_core.replicas import replica_view

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


def export_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404(_("No export format %(format)s.") % {"format": fmt})
    return fmt


class ExportActionMixin:
    """``GET <list>/export.<fmt>``: the list as a file — the same rows as the list
    (``filter_queryset(get_queryset())``: scoping and every filter, search and ordering),
    all pages. Subclasses (lists.py) set ``export_spec``."""

    export_spec = None  # lists.ListExport
    content_negotiation_class = AnyAccept

    @replica_view  # whole lists: a read replica when one is usable
    def export(self, request, fmt: str):
        spec = self.export_spec
        queryset = self.filter_queryset(self.get_queryset())
        if spec.prepare is not None:
            queryset = spec.prepare(queryset)
        export = queryset_export(
            queryset=queryset, columns=pick_columns(spec.columns_for(request.user), request.query_params.get("fields")),
            geometry=spec.geometry, fmt=export_format(fmt), request=request, name=spec.name,
            audits=spec.audits_for(request.user))
        return export_response(export)
