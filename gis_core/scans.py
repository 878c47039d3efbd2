"""Scanned documents (an applicant's ID card, a certificate, a signed form): a real PDF,
JPEG or PNG — decided by the content (PDF's header and end marker, Pillow for images),
never by the name or the declared type — no larger than SERVICES_SCAN_MAX_BYTES. Images
go through the photos' checker (gis_core.photos); files are kept in private storage."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from gis_core.photos import photo_check

IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}


@dataclass(frozen=True)
class CheckedScan:
    upload: UploadedFile
    content_type: str
    extension: str


def scans_check(uploads: list[UploadedFile], *, field: str = "scans") -> list[CheckedScan]:
    """Every upload checked, or ValidationError naming ``field`` and the file."""
    if len(uploads) > settings.SERVICES_SCANS_MAX:
        raise ValidationError({field: [_("At most %(n)d files.") % {"n": settings.SERVICES_SCANS_MAX}]})
    return [scan_check(upload, field) for upload in uploads]


def scan_check(upload: UploadedFile, field: str) -> CheckedScan:
    name = upload.name or "?"
    limit = settings.SERVICES_SCAN_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({field: [_("%(name)s is %(size).1f MB; a file may be at most %(max).0f MB.") % {
            "name": name, "size": upload.size / 2**20, "max": limit / 2**20}]})
    upload.seek(0)
    head = upload.read(1024)
    if head.lstrip(b"\r\n\t ").startswith(b"%PDF-"):
        if _pdf_ends(upload):
            upload.seek(0)
            return CheckedScan(upload, "application/pdf", "pdf")
        upload.seek(0)
        raise ValidationError({field: [_("%(name)s is not a complete PDF file.") % {"name": name}]})
    upload.seek(0)
    photo = photo_check(upload, field, formats=IMAGE_FORMATS, max_bytes=limit)
    return CheckedScan(upload, photo.content_type, photo.extension)


def _pdf_ends(upload: UploadedFile) -> bool:
    """A PDF ends with its %%EOF marker (within the last kilobyte; writers add whitespace)."""
    upload.seek(max(upload.size - 1024, 0))
    return b"%%EOF" in upload.read()
