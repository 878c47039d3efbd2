"""Writes of the grid leader's workspace: recording visits and public-sentiment notes.
(Buildings, houses, people and moves are written by assets.services.)"""
from __future__ import annotations

import datetime as dt

from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets.models import House, Person
from gis_core.models import Area, AreaLevel, User
from gis_core.photos import photos_check
from gis_core.roles import role_allows
from gis_core.scoping import in_scope, is_area_in_scope
from gis_core.spatial import deepest_area_id, geometry_locate
from grids.models import Visit, VisitKind, VisitPhoto

FUTURE_SLACK = dt.timedelta(minutes=5)  # a device clock slightly ahead is not an error


def visit_record(*, actor: User, notes: str, kind: str = VisitKind.VISIT, visited_at: dt.datetime | None = None,
                 location: Point | None = None, house: House | None = None, person: Person | None = None,
                 photos: list[UploadedFile] = ()) -> Visit:
    """Record a visit or note in one of the actor's cells: the house's cell, else the
    person's home cell, else the cell at ``location``."""
    if not role_allows(actor, "grids.add_visit"):
        raise PermissionDenied(_("Your role may not record visits."))
    errors: dict[str, list[str]] = {}
    if not (notes or "").strip():
        errors["notes"] = [_("Write what you saw or heard.")]
    if kind not in VisitKind.values:
        errors["kind"] = [_("Unknown kind %(kind)r.") % {"kind": kind}]
    visited_at = visited_at or timezone.now()
    if visited_at > timezone.now() + FUTURE_SLACK:
        errors["visited_at"] = [_("A visit cannot be in the future.")]
    for field, obj in (("house", house), ("person", person)):
        if obj is not None and not in_scope(actor, obj):
            errors[field] = [_("%(obj)s is outside your areas.") % {"obj": obj}]
    if errors:
        raise ValidationError(errors)
    if location is not None:
        location, _area = geometry_locate(location, user=actor, field="location", allowed=("Point",))
    cell = _visit_cell(actor=actor, house=house, person=person, location=location)
    checked = photos_check(list(photos))
    with transaction.atomic():
        visit = Visit.objects.create(kind=kind, visited_at=visited_at, cell=cell, location=location, house=house,
                                     person=person, visitor=actor, notes=notes.strip())
        for photo in checked:
            record = VisitPhoto(visit=visit, content_type=photo.content_type, size=photo.upload.size,
                                width=photo.width, height=photo.height)
            record.file.save(f"{visit.pk}.{photo.extension}", photo.upload, save=False)
            record.save()
    return visit


def _visit_cell(*, actor: User, house: House | None, person: Person | None, location: Point | None) -> Area:
    area_id = None
    if house is not None:
        area_id = house.building.area_id
    elif person is not None:
        home = person.residences.filter(is_primary=True, moved_out__isnull=True).select_related("house__building")
        area_id = home[0].house.building.area_id if home else None
    if area_id is None and location is not None:
        area_id = deepest_area_id(location)
    cell = Area.objects.filter(pk=area_id, level=AreaLevel.GRID).first() if area_id else None
    if cell is None:
        raise ValidationError({"location": [_("Say where: a house, a person with a home, or a GPS fix in a cell.")]})
    if not is_area_in_scope(actor, cell.pk):
        raise ValidationError({"location": [_("The visit lies outside your areas.")]})
    return cell
