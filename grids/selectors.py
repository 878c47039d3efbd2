"""Reads about grid cells: leaders and the counts shown on maps and lists."""
from __future__ import annotations

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from assets.models import Building, House
from gis_core.models import Role, User
from grids.models import GridCell


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


def cell_leaders(cell: GridCell) -> QuerySet[User]:
    return User.objects.filter(role=Role.GRID_LEADER, areas=cell, is_active=True).order_by("name")
