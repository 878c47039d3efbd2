"""Reads about grid cells: leaders and the counts shown on maps and lists; the grid
leader's workspace (a building's rooms, a person's page, my tasks)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from assets.models import Building, House, HouseUse, Person, Residence
from gis_core.models import AreaLevel, Role, User
from gis_core.scoping import scope_queryset
from grids.models import GridCell, Visit


def _count(qs: QuerySet, group_by: str) -> Subquery:
    return Coalesce(
        Subquery(qs.order_by().values(group_by).annotate(n=Count("*")).values("n"), output_field=IntegerField()),
        Value(0),
    )


def cells_with_leaders_and_counts(qs: QuerySet[GridCell]) -> QuerySet[GridCell]:
    """Annotate each cell with ``leaders`` (names, comma-separated) and counts of
    ``building_count``, ``house_count`` and ``people_count`` (current residents)."""
    leaders = (User.objects.filter(role=Role.GRID_LEADER, areas=OuterRef("pk"), is_active=True)
               .order_by().values("areas").annotate(names=StringAgg("name", ", ", order_by="name")).values("names"))
    return qs.annotate(
        leaders=Subquery(leaders),
        building_count=_count(Building.objects.filter(area=OuterRef("pk")), "area"),
        house_count=_count(House.objects.filter(building__area=OuterRef("pk")), "building__area"),
        people_count=Coalesce(Subquery(
            Building.objects.filter(area=OuterRef("pk")).order_by().values("area")
            .annotate(n=Sum("resident_count")).values("n"), output_field=IntegerField()), Value(0)),
    )


# --------------------------------------------------------------------------- the grid leader's workspace

@dataclass
class Floor:
    floor: int
    houses: list[House]


@dataclass
class Unit:
    unit: int
    floors: list[Floor]


def building_rooms(building: Building) -> list[Unit]:
    """The building as 单元 × 楼层 × 房间: units in order, top floor first (as the building
    stands), each house with ``residents`` (current, primary or not), ``vacant`` and
    ``rented`` — two queries whatever the size."""
    current = Residence.objects.filter(moved_out__isnull=True).select_related("person").order_by("relation", "id")
    houses = list(building.houses.order_by("unit", "-floor", "room")
                  .prefetch_related(Prefetch("residences", queryset=current, to_attr="current")))
    units: dict[int, dict[int, list[House]]] = {}
    for house in houses:
        house.residents = [r.person for r in house.current]
        house.vacant = not house.residents
        house.rented = house.use == HouseUse.RENTED
        units.setdefault(house.unit, {}).setdefault(house.floor, []).append(house)
    return [Unit(unit, [Floor(floor, rooms) for floor, rooms in floors.items()]) for unit, floors in units.items()]


def person_profile(person: Person) -> dict:
    """What a person's page shows besides the person: residence history, family in the
    same house, terminals, recent visits."""
    residences = list(person.residences.select_related("house__building").order_by("-moved_in", "-id"))
    home = next((r.house for r in residences if r.is_primary and r.moved_out is None), None)
    family = (Residence.objects.filter(house=home, moved_out__isnull=True).exclude(person=person)
              .select_related("person") if home else Residence.objects.none())
    return {
        "residences": residences, "home": home, "family": list(family),
        "tags": list(person.tags.all()),
        "terminals": list(person.terminals.all()) if hasattr(person, "terminals") else [],
        "visits": list(person.visits.select_related("visitor")[:20]),
    }


def cell_tasks(user, *, days: int) -> dict[str, QuerySet]:
    """My tasks: elders living alone not visited for ``days`` days, houses with no
    resident recorded, people whose ID number is not verified — in the user's own grid
    cells (a dispatcher or an official whose areas are a district has none: no tasks)."""
    cells = user.areas.filter(level=AreaLevel.GRID)
    since = timezone.now() - dt.timedelta(days=days)
    recent = Visit.objects.filter(person=OuterRef("pk"), visited_at__gte=since)
    alone = (scope_queryset(Person.objects.filter(taggings__tag__code="living_alone"), user, within=cells)
             .annotate(last_visit=Max("visits__visited_at")).filter(~Exists(recent)).order_by("last_visit", "name"))
    living = Residence.objects.filter(house=OuterRef("pk"), moved_out__isnull=True)
    empty = scope_queryset(House.objects.filter(~Exists(living)), user, within=cells).select_related("building").order_by(
        "building__name", "unit", "floor", "room")
    unverified = scope_queryset(Person.objects.filter(id_verified=False), user, within=cells).order_by("name")
    return {"unvisited_alone": alone, "empty_houses": empty, "unverified": unverified}
