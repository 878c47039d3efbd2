"""The upload page (/imports/) and POST /api/v1/imports/: thin — save the upload to a
temporary folder, hand it to the import services, show or return the report. The
rejected rows' CSV is kept in private storage and served only to the user who imported."""
from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_core.importing.layers import import_layers
from gis_core.importing.offsets import OFFSETS
from gis_core.importing.people import people_import
from gis_core.importing.readers import SUFFIXES
from gis_core.importing.report import ImportReport
from gis_core.importing.services import layer_import
from gis_core.roles import role_allows

PEOPLE = "people"
MAX_UPLOAD_BYTES = 500 * 1024 * 1024
ISSUES_DIR = "imports"


def layers_for(user) -> list[tuple[str, str, str]]:
    """(name, title, help) of what ``user`` may import."""
    layers = [(layer.name, str(layer.title), str(layer.help)) for layer in import_layers()
              if role_allows(user, layer.permission)]
    if role_allows(user, "assets.add_person"):
        layers.append((PEOPLE, str(gettext_lazy("People, houses and residences")),
                       str(gettext_lazy("CSV or XLSX: name, ID number, phone, address or building, unit, "
                                        "floor, room, relation."))))
    return layers


def _issues_path(user, token: str) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / ISSUES_DIR / str(user.pk) / f"{token}.csv"


def import_upload(*, request, layer: str, upload, crs: str = "", offset: str = "", dry_run: bool = False,
                  source: str = "") -> ImportReport:
    """Run one import of an uploaded file as the request's user; keep the issues CSV."""
    name = Path(upload.name or "").name
    if not name.lower().endswith(SUFFIXES):
        raise ValidationError({"file": [_("Expected one of %(types)s.") % {"types": ", ".join(SUFFIXES)}]})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": [_("The file is larger than %(n)d MB.") % {"n": MAX_UPLOAD_BYTES // 2 ** 20}]})
    with tempfile.TemporaryDirectory(prefix="import-") as folder:
        path = Path(folder) / name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        if layer == PEOPLE:
            report = people_import(actor=request.user, path=path, dry_run=dry_run, url=request.path)
        else:
            report = layer_import(actor=request.user, layer=layer, path=path, crs=crs or None, offset=offset or None,
                                  dry_run=dry_run, source=source or None, url=request.path)
    if report.issues:
        token = uuid.uuid4().hex
        report.issues_write(_issues_path(request.user, token))
        report.issues_file = reverse("import-issues", args=[token])
    return report


@login_required
def imports_page(request):
    """Upload a file, see what it did (or would do: dry run), download the rejected rows."""
    layers = layers_for(request.user)
    if not layers:
        raise PermissionDenied
    form = {"layer": layers[0][0], "crs": "", "offset": "", "dry_run": True, "source": ""}
    report, errors = None, []
    if request.method == "POST":
        form = {"layer": request.POST.get("layer", ""), "crs": request.POST.get("crs", "").strip(),
                "offset": request.POST.get("offset", ""), "dry_run": bool(request.POST.get("dry_run")),
                "source": request.POST.get("source", "").strip()}
        upload = request.FILES.get("file")
        if form["layer"] not in {name for name, _t, _h in layers}:
            errors.append(_("Choose what to import."))
        elif upload is None:
            errors.append(_("Choose a file."))
        else:
            try:
                report = import_upload(request=request, upload=upload, **form)
            except ValidationError as error:
                errors = error.messages
    status = 400 if errors else 200
    return render(request, "gis_core/imports.html", {
        "layers": layers, "form": form, "report": report, "errors": errors, "offsets": OFFSETS,
        "issues": sorted(report.issues, key=lambda i: (i.row, i.status))[:200] if report else [],
        "accept": ",".join(SUFFIXES)}, status=status)


@login_required
def import_issues(request, token: str):
    """The rejected and repaired rows of one of the user's own imports, as CSV."""
    if not token.isalnum():
        raise Http404
    path = _issues_path(request.user, token)
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename="import-issues.csv", content_type="text/csv")


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
