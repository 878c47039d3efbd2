"""Photos from the field (case photos, visit photos): checked at the edge — a real JPEG,
PNG or WebP image (Pillow reads it; the name and the declared type are not trusted), no
larger than INCIDENTS_PHOTO_MAX_BYTES — and kept in private storage, outside MEDIA_ROOT,
served only through scoped views."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
MAX_PIXELS = 60_000_000  # a decompression bomb is refused before it is decoded


def private_storage() -> FileSystemStorage:
    """Where photos live: PRIVATE_MEDIA_ROOT, with no URL of its own."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


@dataclass(frozen=True)
class CheckedPhoto:
    upload: UploadedFile
    content_type: str
    extension: str
    width: int
    height: int


def photos_check(uploads: list[UploadedFile], *, field: str = "photos") -> list[CheckedPhoto]:
    """Every upload checked, or ValidationError naming ``field`` and the file."""
    if len(uploads) > settings.INCIDENTS_PHOTOS_MAX:
        raise ValidationError({field: [_("At most %(n)d photos.") % {"n": settings.INCIDENTS_PHOTOS_MAX}]})
    return [photo_check(upload, field) for upload in uploads]


def photo_check(upload: UploadedFile, field: str, *, formats: dict[str, tuple[str, str]] = FORMATS,
                max_bytes: int | None = None) -> CheckedPhoto:
    """One upload that must be an image of ``formats`` (Pillow decides, not the name)
    no larger than ``max_bytes`` (default INCIDENTS_PHOTO_MAX_BYTES); gis_core.scans
    uses it for scanned documents."""
    name = upload.name or "?"
    max_bytes = max_bytes or settings.INCIDENTS_PHOTO_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError({field: [_("%(name)s is %(size).1f MB; a photo may be at most %(max).0f MB.") % {
            "name": name, "size": upload.size / 2**20, "max": max_bytes / 2**20}]})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format, (width, height) = image.format, image.size
            if width * height > MAX_PIXELS:
                raise ValidationError({field: [_("%(name)s has too many pixels.") % {"name": name}]})
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        image_format = None
    finally:
        upload.seek(0)
    if image_format not in formats:
        if formats is FORMATS:
            raise ValidationError({field: [_("%(name)s is not a JPEG, PNG or WebP image.") % {"name": name}]})
        raise ValidationError({field: [_("%(name)s is not a PDF, JPEG or PNG file.") % {"name": name}]})
    content_type, extension = formats[image_format]
    return CheckedPhoto(upload, content_type, extension, width, height)
