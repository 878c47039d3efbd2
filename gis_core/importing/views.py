"""POST /api/v1/imports/ (the upload page is pages.py)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_core.importing.offsets import OFFSETS
from gis_core.importing.uploads import import_upload, layers_for


class ImportRequestSerializer(serializers.Serializer):
    layer = serializers.CharField(help_text="buildings, areas, key-sites, organizations or people")
    file = serializers.FileField(help_text="GeoJSON, zipped Shapefile, GeoPackage, CSV or XLSX")
    crs = serializers.CharField(required=False, allow_blank=True, help_text="e.g. EPSG:4543; default: the file's")
    offset = serializers.ChoiceField(choices=["", *OFFSETS], required=False)
    dry_run = serializers.BooleanField(required=False, default=False)
    source = serializers.CharField(required=False, allow_blank=True, help_text="namespace of the source keys")


class ImportApiView(APIView):
    """Import a file (multipart); the answer is the report: counts, the first 1,000
    rejected or repaired rows with their reasons, and ``issues_url`` (all of them, CSV)."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": ImportRequestSerializer}, responses={200: dict})
    def post(self, request):
        data = ImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if fields["layer"] not in {name for name, _t, _h in layers_for(request.user)}:
            raise PermissionDenied(_("You may not import %(layer)s.") % {"layer": fields["layer"]})
        report = import_upload(request=request, upload=fields.pop("file"), **fields)
        return Response({**report.as_dict(), "issues_url": report.issues_file or None})
