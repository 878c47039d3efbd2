"""Data quality (数据质量) of the base data per street, community and grid cell: entry
rates (录入率), duplicate candidates and cells their leaders have not visited lately.

Every figure is one grouped query over the user's scope (gis_core.scoping), grouped by
the deepest area of each row; streets, communities and cells are then summed from those
groups by code prefix (gis_core.models.PREFIX_LENGTH), so the number of queries does not
depend on the number of areas or rows. People are counted where their current primary
residence is (one per person).

Definitions (the README repeats them):
- houses with residents: houses in use as homes (self-occupied or rented; vacant and
  commercial ones are complete without residents) with at least one current resident;
- people with a verified ID number: residents (current primary residence) with an ID
  number marked verified, of those who should have one (everyone but foreigners);
- buildings with a category: every building has one (residential by default), so a
  category other than "other" counts as recorded;
- elders with contacts: residents aged 60 or more (from the birth date) or tagged
  elderly / living alone / empty nest, with at least one emergency contact (iot);
- duplicate candidates: people whose home (current primary residence) is in the same
  building, with the same name (ignoring spaces) and birth date. The same ID number
  twice cannot happen: the column is unique;
- cells not visited: grid cells without a visit (grids.Visit, kind "visit") by one of the
  cell's current leaders in the last N days; null when visits are not recorded.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, F, Max, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils import timezone

from assets.models import Building, BuildingCategory, House, HouseUse, PersonTagging, Residence, ResidenceType
from gis_core.models import PREFIX_LENGTH, Area, AreaLevel, Role
from gis_core.scoping import areas_for_user, scope_queryset

LEVELS = {"street": AreaLevel.STREET, "community": AreaLevel.COMMUNITY, "cell": AreaLevel.GRID}
HOME_USES = (HouseUse.SELF_OCCUPIED, HouseUse.RENTED)
ELDER_AGE = 60
ELDER_TAGS = ("elderly", "living_alone", "empty_nest")
VISIT_DAYS = 30
# rate name -> (counted, out of)
RATES = {
    "houses_with_residents": ("homes_with_residents", "homes"),
    "people_id_verified": ("people_id_verified", "people_id_expected"),
    "buildings_categorised": ("buildings_categorised", "buildings"),
    "elders_with_contacts": ("elders_with_contacts", "elders"),
}
LENGTHS = sorted({PREFIX_LENGTH[level] for level in LEVELS.values()})


@dataclass
class QualityReport:
    rows: dict[int, list[dict]]  # area level -> rows, by code
    total: dict
    days: int
    visits_recorded: bool
    duplicates: list[dict]  # the duplicate_groups rows, in code order


def visit_model():
    """The visits model when the project records visits (grids.Visit), else None."""
    for label in ("grids.Visit", "assets.Visit"):
        try:
            return apps.get_model(label)
        except LookupError:
            continue
    return None


def _grouped(qs: QuerySet, area: str, **aggregates) -> dict[int, dict]:
    """{deepest area id: {aggregate: n}} in one query (grouped by an integer: hashed)."""
    rows = qs.values(quality_area=F(area)).annotate(**aggregates).order_by()
    return {row.pop("quality_area"): row for row in rows if row["quality_area"]}


def _in(qs: QuerySet, area_path: str, area: Area | None) -> QuerySet:
    return qs.filter(**{f"{area_path}__code__startswith": area.prefix}) if area else qs


def _elder_born_by(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year - ELDER_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ELDER_AGE, day=28)


def _counts(*, user, area: Area | None) -> dict[int, dict]:
    """Three grouped queries: buildings, houses, residents. The conditions on other
    tables are ``IN (subquery)``, which PostgreSQL hashes once, not a subquery per row."""
    buildings = _in(scope_queryset(Building.objects.all(), user), "area", area)
    houses = _in(scope_queryset(House.objects.all(), user), "building__area", area)
    residents = _in(scope_queryset(Residence.objects.filter(moved_out__isnull=True, is_primary=True), user),
                    "house__building__area", area)
    home = Q(use__in=HOME_USES)
    occupied = Q(pk__in=Residence.objects.filter(moved_out__isnull=True).values("house"))
    contact = Q(person__in=apps.get_model("iot", "EmergencyContact").objects.values("person"))
    elder = Q(person__birth_date__lte=_elder_born_by(timezone.localdate())) | Q(
        person__in=PersonTagging.objects.filter(tag__code__in=ELDER_TAGS).values("person"))
    needs_id = ~Q(person__residence_type=ResidenceType.FOREIGN)
    merged: dict[int, dict] = defaultdict(dict)
    for part in (
        _grouped(buildings, "area", buildings=Count("id"),
                 buildings_categorised=Count("id", filter=~Q(category=BuildingCategory.OTHER))),
        _grouped(houses, "building__area", houses=Count("id"), homes=Count("id", filter=home),
                 homes_with_residents=Count("id", filter=home & occupied)),
        _grouped(residents, "house__building__area", people=Count("id"),
                 people_id_expected=Count("id", filter=needs_id),
                 people_id_verified=Count("id", filter=needs_id & Q(person__id_verified=True,
                                                                    person__id_number__isnull=False)),
                 elders=Count("id", filter=elder), elders_with_contacts=Count("id", filter=elder & contact)),
    ):
        for area_id, counts in part.items():
            merged[area_id].update(counts)
    return merged


def _compact_name(field: str) -> Replace:
    """A name without spaces (ASCII or ideographic), for comparing."""
    return Replace(Replace(F(field), Value(" "), Value("")), Value("\u3000"), Value(""))


def duplicate_groups(*, user, area: Area | None = None) -> QuerySet:
    """Duplicate candidates: people whose current home is in one building with the same
    name and birth date; one row per group (``building_id``, ``area_id``,
    ``compact_name``, ``birth_date``, ``size``, ``people`` ids). One query, grouped on
    narrow keys so PostgreSQL hashes it."""
    residences = _in(scope_queryset(Residence.objects.filter(moved_out__isnull=True, is_primary=True,
                                                             person__birth_date__isnull=False), user),
                     "house__building__area", area)
    return (residences
            .values(building_id=F("house__building"), area_id=F("house__building__area"),
                    compact_name=_compact_name("person__name"), birth_date=F("person__birth_date"))
            .annotate(size=Count("id"), people=ArrayAgg("person"))
            .filter(size__gt=1)
            .order_by("area_id", "building_id", "compact_name", "birth_date"))


def _last_visits(cell_ids: list[int]) -> dict[int, dt.datetime] | None:
    """{cell id: last visit by one of its current leaders}, or None without visits."""
    Visit = visit_model()
    if Visit is None:
        return None
    if not cell_ids:
        return {}
    visits = Visit.objects.filter(cell__in=cell_ids, visitor__role=Role.GRID_LEADER, visitor__areas=F("cell"))
    try:
        Visit._meta.get_field("kind")
        visits = visits.filter(kind="visit")  # not the public-sentiment notes
    except FieldDoesNotExist:
        pass
    return dict(visits.values_list("cell").annotate(last=Max("visited_at")).order_by())


def _visit_block() -> dict:
    return {"cells": 0, "not_visited": 0, "last_visit": None}


def _rate(count: int, total: int) -> dict:
    return {"count": count, "total": total, "rate": round(100 * count / total, 2) if total else None}


def _figures(counts: Counter, visits: dict | None) -> dict:
    rates = {name: _rate(counts[n], counts[d]) for name, (n, d) in RATES.items()}
    known = [r["rate"] for r in rates.values() if r["rate"] is not None]
    return {**rates, "houses": counts["houses"], "people": counts["people"],
            "duplicate_groups": counts["duplicate_groups"], "visits": visits,
            # the mean of the rates: pages sort worst first on it
            "score": round(sum(known) / len(known), 2) if known else None}


def quality_report(*, user, area: Area | None = None, levels: list[int] | None = None,
                   days: int = VISIT_DAYS) -> QualityReport:
    """Rates and counts of every area of ``levels`` (default all three) within the user's
    areas (and within ``area``), and the total. Five or six queries whatever the size."""
    levels = levels or list(LEVELS.values())
    areas = areas_for_user(user)
    if area is not None:
        areas = areas.filter(code__startswith=area.prefix)
    areas = list(areas.order_by("code").values("id", "code", "name", "level", "prefix", parent_name=F("parent__name")))
    codes = {a["id"]: a["code"] for a in areas}  # rows are grouped by their deepest area

    by_prefix: dict[int, dict[str, Counter]] = {n: defaultdict(Counter) for n in LENGTHS}
    total = Counter()
    for area_id, counts in _counts(user=user, area=area).items():
        code = codes.get(area_id, "")
        for n in LENGTHS:
            by_prefix[n][code[:n]].update(counts)
        total.update(counts)
    duplicates = list(duplicate_groups(user=user, area=area))
    for group in duplicates:
        code = codes.get(group["area_id"], "")
        for n in LENGTHS:
            by_prefix[n][code[:n]]["duplicate_groups"] += 1
        total["duplicate_groups"] += 1

    cells = [a for a in areas if a["level"] == AreaLevel.GRID]
    last = _last_visits([c["id"] for c in cells])
    visits: dict[int, dict] | None = None
    total_visits = _visit_block() if last is not None else None
    if last is not None:
        since = timezone.now() - dt.timedelta(days=days)
        visits = {n: defaultdict(_visit_block) for n in LENGTHS}
        for cell in cells:
            seen = last.get(cell["id"])
            for block in [*(visits[n][cell["code"][:n]] for n in LENGTHS), total_visits]:
                block["cells"] += 1
                block["not_visited"] += seen is None or seen < since
                if seen and (block["last_visit"] is None or seen > block["last_visit"]):
                    block["last_visit"] = seen

    rows: dict[int, list[dict]] = {level: [] for level in levels}
    for a in areas:
        if a["level"] in rows:
            n = len(a["prefix"])
            block = dict(visits[n][a["prefix"]]) if visits is not None else None
            rows[a["level"]].append({**{k: a[k] for k in ("id", "code", "name", "level", "parent_name")},
                                     **_figures(by_prefix[n][a["prefix"]], block)})
    return QualityReport(rows=rows, total=_figures(total, total_visits), days=days,
                         visits_recorded=last is not None, duplicates=duplicates)
