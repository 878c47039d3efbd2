"""Reading features: a collection's rows scoped to the user (gis_core.scoping), filtered
by the request, in the requested CRS, through the export engine's reader
(gis_core.exporting.tables.queryset_rows), which masks or logs personal data."""
from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib.gis.geos import Polygon
from django.db.models import Q, QuerySet

from gis_core.exporting.tables import queryset_rows
from gis_core.scoping import scope_queryset
from ogc.collections import Collection
from ogc.crs import OutputCrs
from ogc.serializers import Interval


@dataclass
class Feature:
    id: int
    geometry: dict | None
    properties: dict

    def as_geojson(self) -> dict:
        return {"type": "Feature", "id": self.id, "geometry": self.geometry, "properties": self.properties}


def _time_filter(collection: Collection, interval: Interval) -> Q:
    path = collection.time.path
    q = Q()
    if interval.start is not None:
        q &= Q(**{f"{path}__gte": interval.start})
    if interval.end is not None:
        q &= Q(**{f"{path}__lt" if interval.end_exclusive else f"{path}__lte": interval.end})
    return q


def features_queryset(*, collection: Collection, user, bbox: Polygon | None = None, interval: Interval | None = None,
                      filters: dict | None = None) -> QuerySet:
    """The collection's rows the user may see that match the filters, by id."""
    qs = scope_queryset(collection.queryset(), user)
    if bbox is not None:
        qs = qs.filter(**{f"{collection.geometry}__intersects": bbox})
    if interval is not None and collection.time is not None:
        qs = qs.filter(_time_filter(collection, interval))
    if filters:
        qs = qs.filter(**filters)
    return qs.order_by("pk")


def features_read(*, collection: Collection, queryset: QuerySet, crs: OutputCrs, request, offset: int = 0,
                  limit: int | None = None) -> list[Feature]:
    """Rows ``offset`` to ``offset + limit`` of ``queryset`` as features in ``crs``."""
    rows = queryset_rows(queryset=queryset, columns={"id": "pk", **collection.properties},
                         geometry=crs.geometry(collection.geometry), geometry_as="geojson", precision=crs.precision,
                         request=request, offset=offset, limit=limit)
    names = [column.name for column in rows.columns[1:]]
    return [Feature(row[1], json.loads(row[0]) if row[0] else None, dict(zip(names, row[2:], strict=True)))
            for chunk in rows.chunks for row in chunk]
