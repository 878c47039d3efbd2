"""An uploaded file's import, shared by the upload page and the API: save the upload to a
temporary folder, hand it to the import (a registered layer or table), keep the rejected
rows' CSV in private storage for the user who imported."""
from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from gis_core.importing.layers import import_layers, table_import_for, table_imports
from gis_core.importing.readers import SUFFIXES
from gis_core.importing.report import ImportReport
from gis_core.importing.services import layer_import
from gis_core.roles import role_allows

MAX_UPLOAD_BYTES = 500 * 1024 * 1024
ISSUES_DIR = "imports"


def layers_for(user) -> list[tuple[str, str, str]]:
    """(name, title, help) of what ``user`` may import."""
    return [(layer.name, str(layer.title), str(layer.help)) for layer in [*import_layers(), *table_imports()]
            if role_allows(user, layer.permission)]


def issues_path(user, token: str) -> Path:
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
        if table := table_import_for(layer):
            report = table.run(actor=request.user, path=path, dry_run=dry_run, url=request.path)
        else:
            report = layer_import(actor=request.user, layer=layer, path=path, crs=crs or None, offset=offset or None,
                                  dry_run=dry_run, source=source or None, url=request.path)
    if report.issues:
        token = uuid.uuid4().hex
        report.issues_write(issues_path(request.user, token))
        report.issues_file = reverse("import-issues", args=[token])
    return report


