"""Heat metrics — the extension point — and the request they are drawn for.

A ``HeatMetric`` knows one thing: the SQL of its weighted points, rows ``(x, y, weight)``
in the SRID the caller asks for, already limited to the user's scope, the requested area,
the time window and (for tiles) a lon/lat box that a GiST index can serve — all carried
by a ``HeatWindow``. Apps register their own metrics with ``register_metric`` (incidents
and IoT alerts arrive later); this module ships "people" (current residents per building)
and "tag" (residents with a key-group tag). ``scoped``, ``queryset_points`` and
``residences_during`` make writing a metric a few lines of ORM.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.gis.geos import Polygon
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assets.models import Building, PersonTag, Residence
from gis_core.models import Area
from gis_core.personal_data import may_see_personal_data
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
    ``noun`` names what is counted, for units ("people per km²").
    """

    code: str
    title: Any
    permission: str
    points: Callable[[Any, HeatWindow, dict], PointsSQL]
    parse: Callable[[Any, Mapping[str, str]], dict[str, str]] = no_params
    noun: str = "people"

    @property
    def density_unit(self) -> str:
        return f"{self.noun} per km²"

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


def residences_during(window: HeatWindow) -> QuerySet[Residence]:
    """Current residences, or with a time window those overlapping it (moved in by
    ``until``, not moved out before ``since``)."""
    if not window.timed:
        return Residence.objects.filter(moved_out__isnull=True)
    qs = Residence.objects.all()
    if window.until is not None:
        qs = qs.filter(moved_in__lte=window.until)
    if window.since is not None:
        qs = qs.filter(Q(moved_out__isnull=True) | Q(moved_out__gte=window.since))
    return qs


def residence_points(residences: QuerySet[Residence], user, window: HeatWindow) -> PointsSQL:
    """Residences counted per building, at the building's anchor. Counting by building
    id first and joining the anchor afterwards keeps geometries out of the GROUP BY."""
    per_building = (scoped(residences, user, window, geometry="house__building__anchor")
                    .order_by().values("house__building_id").annotate(weight=Count("pk")))
    sql, params = per_building.query.sql_with_params()
    table = connection.ops.quote_name(Building._meta.db_table)
    joined = (f"SELECT b.anchor AS geom, c.weight FROM ({sql}) c(building_id, weight) "
              f"JOIN {table} b ON b.id = c.building_id")
    return points_sql(joined, params, window)


# ---------------------------------------------------------------------------- the metrics shipped here

def people_points(user, window: HeatWindow, params: dict) -> PointsSQL:
    """Residents per building. Now: the ``resident_count`` column the database keeps
    (one row per inhabited building, no join). In a time window: residences overlapping
    it, counted per building."""
    if window.timed:
        return residence_points(residences_during(window), user, window)
    buildings = scoped(Building.objects.filter(resident_count__gt=0), user, window, geometry="anchor")
    return queryset_points(buildings.values(geom=F("anchor"), weight=F("resident_count")), window)


def tag_parse(user, query: Mapping[str, str]) -> dict[str, str]:
    """``tag=<PersonTag.code>``; a sensitive tag (health, key management) only for roles
    that see personal data: its density is personal data at building level."""
    code = (query.get("tag") or "").strip()
    if not code:
        raise ValidationError({"tag": [_("This parameter is required: tag=<tag code>.")]})
    tag = PersonTag.objects.filter(code=code).first()
    if tag is None:
        raise ValidationError({"tag": [_("Unknown tag “%(code)s”.") % {"code": code}]})
    if tag.sensitive and not may_see_personal_data(user):
        raise PermissionDenied(_("Your role may not see where people tagged “%(tag)s” live.") % {"tag": tag.name})
    return {"tag": tag.code}


def tag_points(user, window: HeatWindow, params: dict) -> PointsSQL:
    """Residents with the tag, per building (tagging → person → residence → house →
    building)."""
    tagged = residences_during(window).filter(person__taggings__tag__code=params["tag"])
    return residence_points(tagged, user, window)


register_metric(HeatMetric("people", gettext_lazy("Residents"), "assets.view_person", people_points))
register_metric(HeatMetric("tag", gettext_lazy("Key groups"), "assets.view_person", tag_points, parse=tag_parse))


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
