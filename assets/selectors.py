"""Read queries over the spine: each a single query, scoped by the caller."""
from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery

from assets.models import Building, House, Person, PersonTag, Residence
from gis_core.models import Area


def current_primary_residence() -> QuerySet[Residence]:
    return Residence.objects.filter(is_primary=True, moved_out__isnull=True)


def people_with_current_home(qs: QuerySet[Person]) -> QuerySet[Person]:
    """Annotate ``current_house_id`` and ``current_area_id`` (the cell of the primary
    residence) on each person, in the same query."""
    home = current_primary_residence().filter(person=OuterRef("pk"))
    return qs.annotate(
        current_house_id=Subquery(home.values("house_id")[:1]),
        current_area_id=Subquery(home.values("house__building__area_id")[:1]),
    )


def cell_people(cell: Area) -> QuerySet[Person]:
    """People currently living in ``cell`` or anywhere below it: one query."""
    return Person.objects.filter(
        pk__in=Residence.objects.filter(
            moved_out__isnull=True, house__building__area__code__startswith=cell.prefix,
        ).values("person_id")
    )


def buildings_with_counts(qs: QuerySet[Building]) -> QuerySet[Building]:
    """Annotate ``house_count`` (``resident_count`` is a column kept by the database)."""
    houses = House.objects.filter(building=OuterRef("pk")).order_by().values("building")
    return qs.annotate(house_count=Subquery(houses.annotate(n=Count("pk")).values("n")))


def _current_residents() -> Prefetch:
    return Prefetch("residences", queryset=Residence.objects.filter(moved_out__isnull=True)
                    .select_related("person").order_by("id"), to_attr="current_residences")


def houses_with_current_residents(house_qs: QuerySet[House]) -> QuerySet[House]:
    return house_qs.prefetch_related(_current_residents())


def building_houses_with_residents(building_qs: QuerySet[Building]) -> QuerySet[Building]:
    """Prefetch houses → current residents for nested building reads (two more queries
    whatever the size of the building)."""
    return building_qs.prefetch_related(
        Prefetch("houses", queryset=houses_with_current_residents(House.objects.order_by("unit", "floor", "room"))),
    )


def tags_visible(tags, *, sees_personal: bool) -> list[PersonTag]:
    return [t for t in tags if sees_personal or not t.sensitive]


