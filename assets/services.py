"""Write operations on buildings, houses, people, residences, organizations, key sites and
their reference data (person tags, key-site categories).

Each runs in one transaction, validates the whole record (model validators and
constraints via full_clean, plus the rules below) and raises ValidationError naming the
field; nothing is half-written. ``actor`` is the user acting: geometries must fall in
their areas, referenced records must be visible to them.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets.identity import IdNumberError, credit_code_validate, id_number_parse
from assets.models import (
    Building,
    House,
    KeySite,
    KeySiteCategory,
    Organization,
    Person,
    PersonTag,
    PersonTagging,
    Residence,
    ResidenceRelation,
    ResidenceType,
    Road,
)
from gis_core.models import User
from gis_core.scoping import UNRESTRICTED, require_in_scope, user_area_prefixes
from gis_core.spatial import geometry_locate

POLYGONAL = ("Polygon", "MultiPolygon")


def _assign(obj, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)


# --------------------------------------------------------------------------- buildings

def _building_save(*, actor: User, building: Building, fields: dict[str, Any]) -> Building:
    if "footprint" in fields:
        fields["footprint"], _area = geometry_locate(
            fields["footprint"], user=actor, field="footprint", allowed=POLYGONAL, promote_to_multi=True)
    _assign(building, fields)
    if building.pk and "floors" in fields:
        highest = building.houses.order_by("-floor").values_list("floor", flat=True).first()
        if highest is not None and highest > building.floors:
            raise ValidationError({"floors": [_("Houses are recorded on floor %(floor)d; the building "
                                                "cannot have fewer floors.") % {"floor": highest}]})
    building.full_clean()
    building.save()
    building.refresh_from_db(fields=["area"])  # derived by the database
    return building


@transaction.atomic
def building_create(*, actor: User, **fields: Any) -> Building:
    return _building_save(actor=actor, building=Building(), fields=fields)


@transaction.atomic
def building_update(*, actor: User, building: Building, **fields: Any) -> Building:
    return _building_save(actor=actor, building=building, fields=fields)


# --------------------------------------------------------------------------- houses

def _house_save(*, actor: User, house: House, fields: dict[str, Any]) -> House:
    _assign(house, fields)
    require_in_scope(actor, house.building, field="building")
    if house.floor > house.building.floors:
        raise ValidationError({"floor": [_("Floor %(floor)d is above the building's %(floors)d floors.")
                                         % {"floor": house.floor, "floors": house.building.floors}]})
    house.full_clean()
    house.save()
    return house


@transaction.atomic
def house_create(*, actor: User, **fields: Any) -> House:
    return _house_save(actor=actor, house=House(), fields=fields)


@transaction.atomic
def house_update(*, actor: User, house: House, **fields: Any) -> House:
    return _house_save(actor=actor, house=house, fields=fields)


# --------------------------------------------------------------------------- people

def _person_identity(person: Person) -> None:
    """Birth date and gender come from the ID number; foreigners may have none."""
    if person.id_number:
        try:
            info = id_number_parse(person.id_number)
        except IdNumberError as error:
            raise ValidationError({"id_number": [str(error)]}) from error
        person.id_number = person.id_number.strip().upper()
        person.birth_date, person.gender = info.birth_date, info.gender
    elif person.residence_type != ResidenceType.FOREIGN and person.nationality == "CHN":
        person.id_verified = False
    if person.residence_type == ResidenceType.FOREIGN and person.nationality == "CHN":
        raise ValidationError({"nationality": [_("A foreigner's nationality cannot be CHN.")]})


def _person_save(*, person: Person, fields: dict[str, Any], tags: list[PersonTag] | None) -> Person:
    if "id_number" in fields and fields["id_number"] != person.id_number:
        person.id_verified = False  # a changed number is unverified until checked again
    _assign(person, fields)
    _person_identity(person)
    person.full_clean(exclude=["tags"])
    person.save()
    if tags is not None:
        person_tags_set(person=person, tags=tags)
    return person


@transaction.atomic
def person_create(*, actor: User, house: House | None, relation: str = ResidenceRelation.FAMILY,
                  moved_in: dt.date | None = None, tags: list[PersonTag] | None = None,
                  **fields: Any) -> Person:
    """Register a person, with their primary residence when ``house`` is given (a person
    without one is visible only to unrestricted administrators)."""
    if house is None and user_area_prefixes(actor) is not UNRESTRICTED:
        raise ValidationError({"house": [_("Choose the house the person lives in.")]})
    person = _person_save(person=Person(), fields=fields, tags=tags)
    if house is not None:
        residence_move_in(actor=actor, person=person, house=house, relation=relation,
                          moved_in=moved_in or dt.date.today())
    return person


@transaction.atomic
def person_update(*, actor: User, person: Person, tags: list[PersonTag] | None = None,
                  house: House | None = None, relation: str | None = None, moved_in: dt.date | None = None,
                  **fields: Any) -> Person:
    """Change a person's details and tags. Where they live changes only through a move
    (``residence_move_in``/``residence_move_out``): a house, relation or move-in date here
    is refused."""
    for field, value in (("house", house), ("relation", relation), ("moved_in", moved_in)):
        if value is not None:
            raise ValidationError({field: [_("Record moves through the residences endpoint.")]})
    return _person_save(person=person, fields=fields, tags=tags)


def person_tags_set(*, person: Person, tags: list[PersonTag]) -> None:
    """Replace a person's tags, row by row so each change lands in the history."""
    wanted = {t.pk for t in tags}
    PersonTagging.objects.filter(person=person).exclude(tag_id__in=wanted).delete()
    have = set(PersonTagging.objects.filter(person=person).values_list("tag_id", flat=True))
    PersonTagging.objects.bulk_create([PersonTagging(person=person, tag_id=t) for t in wanted - have])


# --------------------------------------------------------------------------- residences

EARLIEST_MOVE = dt.date(1900, 1, 1)
MOVE_AHEAD = dt.timedelta(days=366)  # a move may be recorded up to a year before it happens


def _move_date_check(day: dt.date, *, field: str) -> None:
    latest = timezone.localdate() + MOVE_AHEAD
    if not EARLIEST_MOVE <= day <= latest:
        raise ValidationError({field: [_("A date between %(earliest)s and %(latest)s.")
                                       % {"earliest": EARLIEST_MOVE, "latest": latest}]})


@transaction.atomic
def residence_move_in(*, actor: User, person: Person, house: House, relation: str,
                      moved_in: dt.date, primary: bool = True) -> Residence:
    """Record that ``person`` lives in ``house`` from ``moved_in``. A new primary
    residence ends the previous one on the same day (a move)."""
    require_in_scope(actor, house, field="house")
    _move_date_check(moved_in, field="moved_in")
    if Residence.objects.filter(person=person, house=house, moved_out__isnull=True).exists():
        raise ValidationError({"house": [_("%(person)s already lives in %(house)s.")
                                         % {"person": person, "house": house}]})
    if primary:
        previous = Residence.objects.select_for_update().filter(
            person=person, is_primary=True, moved_out__isnull=True).first()
        if previous is not None:
            if moved_in < previous.moved_in:
                raise ValidationError({"moved_in": [_("Before the move into the current home (%(date)s).")
                                                    % {"date": previous.moved_in}]})
            previous.moved_out = moved_in
            previous.save(update_fields=["moved_out", "updated_at"])
    residence = Residence(person=person, house=house, relation=relation, moved_in=moved_in, is_primary=primary)
    residence.full_clean()
    residence.save()
    return residence


@transaction.atomic
def residence_move_out(*, actor: User, residence: Residence, moved_out: dt.date) -> Residence:
    residence = Residence.objects.select_for_update().get(pk=residence.pk)
    require_in_scope(actor, residence.house, field="house")
    if residence.moved_out is not None:
        raise ValidationError({"moved_out": [_("Already moved out on %(date)s.") % {"date": residence.moved_out}]})
    _move_date_check(moved_out, field="moved_out")
    if moved_out < residence.moved_in:
        raise ValidationError({"moved_out": [_("Before the move-in date %(date)s.") % {"date": residence.moved_in}]})
    residence.moved_out = moved_out
    residence.save(update_fields=["moved_out", "updated_at"])
    return residence


# --------------------------------------------------------------------------- places

def _organization_save(*, actor: User, org: Organization, fields: dict[str, Any]) -> Organization:
    if "location" in fields:
        fields["location"], _area = geometry_locate(fields["location"], user=actor, field="location",
                                                    allowed=("Point",))
    if fields.get("credit_code"):
        try:
            fields["credit_code"] = credit_code_validate(fields["credit_code"])
        except IdNumberError as error:
            raise ValidationError({"credit_code": [str(error)]}) from error
    _assign(org, fields)
    require_in_scope(actor, org.building, field="building")
    org.full_clean()
    org.save()
    org.refresh_from_db(fields=["area"])
    return org


@transaction.atomic
def organization_create(*, actor: User, **fields: Any) -> Organization:
    return _organization_save(actor=actor, org=Organization(), fields=fields)


@transaction.atomic
def organization_update(*, actor: User, organization: Organization, **fields: Any) -> Organization:
    return _organization_save(actor=actor, org=organization, fields=fields)


def _key_site_save(*, actor: User, site: KeySite, fields: dict[str, Any]) -> KeySite:
    if "geometry" in fields:
        fields["geometry"], _area = geometry_locate(fields["geometry"], user=actor, field="geometry",
                                                    allowed=("Point", "Polygon", "MultiPolygon"))
    _assign(site, fields)
    require_in_scope(actor, site.building, field="building")
    site.full_clean()
    site.save()
    site.refresh_from_db(fields=["area"])
    return site


@transaction.atomic
def key_site_create(*, actor: User, **fields: Any) -> KeySite:
    return _key_site_save(actor=actor, site=KeySite(), fields=fields)


@transaction.atomic
def key_site_update(*, actor: User, key_site: KeySite, **fields: Any) -> KeySite:
    return _key_site_save(actor=actor, site=key_site, fields=fields)


# --------------------------------------------------------------------------- roads

def _road_save(*, actor: User, road: Road, fields: dict[str, Any]) -> Road:
    if "centreline" in fields:
        fields["centreline"], _area = geometry_locate(
            fields["centreline"], user=actor, field="centreline", allowed=("LineString", "MultiLineString"),
            promote_to_multi=True)
    _assign(road, fields)
    road.full_clean()
    road.save()
    road.refresh_from_db(fields=["area"])
    return road


@transaction.atomic
def road_create(*, actor: User, **fields: Any) -> Road:
    return _road_save(actor=actor, road=Road(), fields=fields)


@transaction.atomic
def road_update(*, actor: User, road: Road, **fields: Any) -> Road:
    return _road_save(actor=actor, road=road, fields=fields)


# --------------------------------------------------------------------------- deleting

def _delete(*, actor: User, obj, field: str) -> None:
    """Delete a record in the actor's areas. Records still referenced (a building with
    houses …) are refused by the database (PROTECT: a 409 naming what refers to it)."""
    require_in_scope(actor, obj, field=field)
    obj.delete()


@transaction.atomic
def building_delete(*, actor: User, building: Building) -> None:
    _delete(actor=actor, obj=building, field="building")


@transaction.atomic
def house_delete(*, actor: User, house: House) -> None:
    _delete(actor=actor, obj=house, field="house")


@transaction.atomic
def person_delete(*, actor: User, person: Person) -> None:
    """A person with their residences and tags (history keeps what was deleted)."""
    _delete(actor=actor, obj=person, field="person")


@transaction.atomic
def residence_delete(*, actor: User, residence: Residence) -> None:
    """A residence recorded by mistake (a real move ends with ``residence_move_out``)."""
    _delete(actor=actor, obj=residence, field="residence")


@transaction.atomic
def organization_delete(*, actor: User, organization: Organization) -> None:
    _delete(actor=actor, obj=organization, field="organization")


@transaction.atomic
def key_site_delete(*, actor: User, key_site: KeySite) -> None:
    _delete(actor=actor, obj=key_site, field="key_site")


@transaction.atomic
def road_delete(*, actor: User, road: Road) -> None:
    _delete(actor=actor, obj=road, field="road")


# --------------------------------------------------------------------------- reference data

def _reference_save(obj, fields: dict[str, Any]):
    _assign(obj, fields)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def person_tag_create(**fields: Any) -> PersonTag:
    return _reference_save(PersonTag(), fields)


@transaction.atomic
def person_tag_update(*, tag: PersonTag, **fields: Any) -> PersonTag:
    return _reference_save(tag, fields)


@transaction.atomic
def person_tag_delete(*, tag: PersonTag) -> None:
    tag.delete()  # a tag still assigned is protected: 409


@transaction.atomic
def key_site_category_create(**fields: Any) -> KeySiteCategory:
    return _reference_save(KeySiteCategory(), fields)


@transaction.atomic
def key_site_category_update(*, category: KeySiteCategory, **fields: Any) -> KeySiteCategory:
    return _reference_save(category, fields)


@transaction.atomic
def key_site_category_delete(*, category: KeySiteCategory) -> None:
    category.delete()  # a category with sites is protected: 409
