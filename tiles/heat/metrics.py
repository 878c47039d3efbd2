"""Heat metrics — the extension point — and the request they are drawn for.

A ``HeatMetric`` knows one thing: the SQL of its weighted points, rows ``(x, y, weight)``
in the SRID the caller asks for, already limited to the user's scope, the requested area,
the time window and (for tiles) a lon/lat box that a GiST index can serve — all carried
by a ``HeatWindow``. Apps register their own metrics with ``register_metric`` from their
AppConfig.ready() (assets: residents and key groups; incidents: cases). ``scoped`` and
``queryset_points`` make writing a metric a few lines of ORM.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.gis.geos import Polygon
from django.db.models import QuerySet

from gis_core.models import Area
from gis_core.scoping import scope_queryset
from tiles.mvt import scope_key

WEB_MERCATOR = 3857
WGS84 = 4326


@dataclass(frozen=True)
class HeatWindow:
    """Which points a metric returns, besides the user's scope: a time window
    (``since``/``until``, inclusive dates; neither = now), an area whose subtree to keep,
    a lon/lat box to pre-filter with the spatial index (None = everywhere), and the SRID
    the caller wants ``x``/``y`` in."""

    since: dt.date | None = None
    until: dt.date | None = None
    area: Area | None = None
    bbox: tuple[float, float, float, float] | None = None
    srid: int = WEB_MERCATOR

    @property
    def timed(self) -> bool:
        return self.since is not None or self.until is not None

    def label(self) -> str:
        """'current', or 'since/until' with '..' for an open end (the GeoTIFF's tag)."""
        if not self.timed:
            return "current"
        return f"{self.since or '..'}/{self.until or '..'}"


PointsSQL = tuple[str, list]


def no_params(user, query: Mapping[str, str]) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class HeatMetric:
    """A quantity to draw as a heatmap.

    ``points(user, window, params)`` returns ``(sql, params)`` selecting rows
    ``(x, y, weight)``: coordinates in ``window.srid`` (EPSG:3857 unless the caller asks
    for another), an integer weight, already limited to what ``user`` may see and to
    ``window``. ``parse(user, query)`` turns the request's query string into the
    metric's own parameters (a dict of short strings: they name cache keys and files),
    raising ``ValidationError`` naming the field (400) or ``PermissionDenied`` (403).
    ``noun`` names what is counted, for the units of downloads ("people per pixel");
    ``unit``, translatable, is the legend's unit for people ("人/平方公里"), by default
    "<noun> per km²".
    """

    code: str
    title: Any
    permission: str
    points: Callable[[Any, HeatWindow, dict], PointsSQL]
    parse: Callable[[Any, Mapping[str, str]], dict[str, str]] = no_params
    noun: str = "people"
    unit: Any = None

    @property
    def density_unit(self) -> str:
        return str(self.unit) if self.unit else f"{self.noun} per km²"

    @property
    def count_unit(self) -> str:
        return f"{self.noun} per pixel"


_METRICS: dict[str, HeatMetric] = {}


def register_metric(metric: HeatMetric) -> HeatMetric:
    """Add (or replace) a metric; apps call this from ``AppConfig.ready``."""
    _METRICS[metric.code] = metric
    return metric


def metric_for(code: str) -> HeatMetric | None:
    return _METRICS.get(code)


def all_metrics() -> list[HeatMetric]:
    return list(_METRICS.values())


# ---------------------------------------------------------------------------- helpers for metrics

def scoped(qs: QuerySet, user, window: HeatWindow, *, geometry: str) -> QuerySet:
    """``qs`` limited to the user's scope, to ``window.area``'s subtree (through the
    model's ``scope_lookup``) and, when the window has a box, to points in it
    (``geometry && box``, served by the geometry's GiST index)."""
    qs = scope_queryset(qs, user)
    if window.area is not None:
        qs = qs.filter(**{f"{qs.model.scope_lookup}__code__startswith": window.area.prefix})
    if window.bbox is not None:
        qs = qs.filter(**{f"{geometry}__bboverlaps": Polygon.from_bbox(window.bbox)})
    return qs


def points_sql(sql: str, params, window: HeatWindow) -> PointsSQL:
    """Rows ``(x, y, weight)`` from a query selecting ``geom`` (EPSG:4326 points) and
    ``weight``. ``OFFSET 0`` keeps PostgreSQL from inlining the subquery, which would
    copy ``ST_Transform`` into every use of x and y (two or three transforms a row)."""
    transformed = f"SELECT ST_Transform(s.geom, %s) AS g, s.weight FROM ({sql}) s OFFSET 0"
    return f"SELECT ST_X(t.g) AS x, ST_Y(t.g) AS y, t.weight FROM ({transformed}) t", [window.srid, *params]


def queryset_points(qs: QuerySet, window: HeatWindow) -> PointsSQL:
    """``points_sql`` of a queryset ending in ``.values(geom=…, weight=…)``."""
    sql, params = qs.order_by().query.sql_with_params()
    return points_sql(sql, params, window)


# ---------------------------------------------------------------------------- one request

@dataclass(frozen=True)
class HeatQuery:
    """What to draw for whom: a metric, the user it is scoped to, the metric's parsed
    parameters and the window (time and area; box and SRID are set per use)."""

    metric: HeatMetric
    user: Any
    params: dict[str, str] = field(default_factory=dict)
    window: HeatWindow = HeatWindow()

    def points(self, **where) -> PointsSQL:
        return self.metric.points(self.user, replace(self.window, **where), self.params)

    def scope_label(self) -> str:
        """The user's scope as the tile cache keys it ("*": unrestricted, "-": none)."""
        return scope_key(self.user) or "-"

    def cache_key(self, kind: str) -> str:
        """Same metric, parameters, window, area and scope → same key (two users with
        the same areas share a scale)."""
        parts = [kind, self.metric.code, self.params, self.window.label(),
                 self.window.area.pk if self.window.area else None, self.scope_label()]
        digest = hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
        return f"heat:{kind}:{self.metric.code}:{digest}"
