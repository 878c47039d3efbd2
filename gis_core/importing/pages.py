"""The upload page (/imports/) and the download of an import's rejected rows."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from gis_core.importing.offsets import OFFSETS
from gis_core.importing.readers import SUFFIXES
from gis_core.importing.uploads import import_upload, issues_path, layers_for
from gis_core.navigation import page_view


@page_view("imports")
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
    path = issues_path(request.user, token)
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename="import-issues.csv", content_type="text/csv")


