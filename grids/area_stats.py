"""Statistics of an area and each of its sub-areas (street → communities → cells), for
the street official's console: residents, key groups, buildings, houses, key sites.

Every count is one grouped query over the area's subtree: rows are grouped by the first
digits of their area code, which name the child they lie in (gis_core.models.PREFIX_LENGTH).
All of it is scoped to the user.
"""
from __future__ import annotations

from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.functions import Coalesce, Substr

from assets.models import Building, House, KeySite, PersonTag, Residence
from gis_core.models import PREFIX_LENGTH, Area, AreaLevel
from gis_core.personal_data import may_see_personal_data
from gis_core.scoping import scope_queryset

METRICS = ("people", "buildings", "houses", "key_sites")


def _grouped(qs, code_field: str, length: int, **aggregates) -> dict[str, dict]:
    rows = (qs.annotate(child=Substr(code_field, 1, length)).values("child").annotate(**aggregates).order_by())
    return {row.pop("child"): row for row in rows}


def area_stats(*, area: Area, user) -> dict:
    """{area, totals, tags, children: [...]} with the counts of ``area`` and of each child
    the user may see. Key groups marked sensitive count only for roles that see personal
    data."""
    children = list(scope_queryset(Area.objects.filter(parent=area), user).order_by("code")
                    .values("id", "code", "name", "level"))
    length = PREFIX_LENGTH[AreaLevel(area.level + 1)] if children else len(area.prefix)
    subtree = Q(area__code__startswith=area.prefix)
    buildings = _grouped(scope_queryset(Building.objects.filter(subtree), user), "area__code", length,
                         buildings=Count("id"), people=Coalesce(Sum("resident_count"), 0, output_field=IntegerField()))
    houses = _grouped(scope_queryset(House.objects.filter(building__area__code__startswith=area.prefix), user),
                      "building__area__code", length, houses=Count("id"))
    sites = _grouped(scope_queryset(KeySite.objects.filter(subtree), user), "area__code", length,
                     key_sites=Count("id"))
    tags = PersonTag.objects.all() if may_see_personal_data(user) else PersonTag.objects.filter(sensitive=False)
    tag_codes = {t.pk: t.code for t in tags}
    tagged = (scope_queryset(Residence.objects.filter(moved_out__isnull=True, is_primary=True,
                                                      house__building__area__code__startswith=area.prefix), user)
              .filter(person__taggings__tag__in=list(tag_codes))
              .annotate(child=Substr("house__building__area__code", 1, length))
              .values("child", "person__taggings__tag").annotate(n=Count("person", distinct=True)).order_by())
    tag_counts: dict[str, dict[str, int]] = {}
    for row in tagged:
        tag_counts.setdefault(row["child"], {})[tag_codes[row["person__taggings__tag"]]] = row["n"]

    def counts(prefix: str) -> dict:
        return {"people": buildings.get(prefix, {}).get("people", 0),
                "buildings": buildings.get(prefix, {}).get("buildings", 0),
                "houses": houses.get(prefix, {}).get("houses", 0),
                "key_sites": sites.get(prefix, {}).get("key_sites", 0),
                "tags": tag_counts.get(prefix, {})}

    rows = [{**child, **counts(child["code"][:length])} for child in children]
    if rows:
        totals = {m: sum(r[m] for r in rows) for m in METRICS}
        totals["tags"] = {code: sum(r["tags"].get(code, 0) for r in rows) for code in tag_codes.values()}
    else:
        totals = counts(area.prefix)
    return {
        "area": {"id": area.pk, "code": area.code, "name": area.name, "level": area.level,
                 "level_display": area.get_level_display(), "bbox": list(area.boundary.extent),
                 "parent": area.parent_id},
        "totals": totals,
        "tags": [{"code": t.code, "name": t.name, "color": t.color} for t in tags],
        "children": rows,
    }
