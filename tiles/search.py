"""Find places on the map by name, address or code, each kind limited to the user's
areas (trigram indexes serve the ``icontains`` matches). Areas are searched here; apps
register their own kinds (assets: buildings, key sites, organizations) with
``register_search_source`` from their AppConfig.ready()."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Envelope
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gis_core.models import Area
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


_SOURCES: dict[str, SearchSource] = {}


def register_search_source(source: SearchSource) -> SearchSource:
    _SOURCES[source.kind] = source
    return source


def register_area_search() -> None:
    register_search_source(SearchSource(
        "area", _("area"), lambda: Area.objects.all(), "boundary",
        lambda q: Q(name__icontains=q) | Q(code__startswith=q), detail="code"))


def places_search(*, user, query: str, limit: int = 8) -> list[dict]:
    """Up to ``limit`` matches of each kind, as {kind, kind_title, id, label, detail, bbox}."""
    query = query.strip()
    if len(query) < 2:
        return []
    results = []
    for source in _SOURCES.values():
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
