"""Find places on the map by name, address or code: areas, buildings, key sites and
organizations, each limited to the user's areas (trigram indexes serve the
``icontains`` matches)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Envelope
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gis_core.scoping import scope_queryset


@dataclass(frozen=True)
class SearchSource:
    kind: str
    title: Promise | str
    queryset: Callable[[], QuerySet]
    geometry: str
    match: Callable[[str], Q]
    label: str = "name"
    detail: str | None = None


def _sources() -> list[SearchSource]:
    from assets.models import Building, KeySite, Organization
    from gis_core.models import Area

    return [
        SearchSource("area", _("area"), lambda: Area.objects.all(), "boundary",
                     lambda q: Q(name__icontains=q) | Q(code__startswith=q), detail="code"),
        SearchSource("building", _("building"), lambda: Building.objects.all(), "footprint",
                     lambda q: Q(name__icontains=q) | Q(address__icontains=q), detail="address"),
        SearchSource("key_site", _("key site"), lambda: KeySite.objects.all(), "geometry",
                     lambda q: Q(name__icontains=q)),
        SearchSource("organization", _("organization"), lambda: Organization.objects.all(), "location",
                     lambda q: Q(name__icontains=q) | Q(address__icontains=q), detail="address"),
    ]


def places_search(*, user, query: str, limit: int = 8) -> list[dict]:
    """Up to ``limit`` matches of each kind, as {kind, kind_title, id, label, detail, bbox}."""
    query = query.strip()
    if len(query) < 2:
        return []
    results = []
    for source in _sources():
        rows = (scope_queryset(source.queryset(), user).filter(source.match(query))
                .annotate(search_bbox=Envelope(source.geometry))
                .values("pk", source.label, "search_bbox", *([source.detail] if source.detail else []))
                .order_by(source.label)[:limit])
        for row in rows:
            results.append({
                "kind": source.kind, "kind_title": str(source.title), "id": row["pk"], "label": row[source.label],
                "detail": row.get(source.detail, "") if source.detail else "",
                "bbox": [round(v, 6) for v in row["search_bbox"].extent],
            })
    return results
