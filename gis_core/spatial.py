"""Shared spatial helpers: lengths of a degree, geometry validation at the edge, and the
derived area of buildings, key sites and organizations.

A record with a geometry gets ``area`` = the deepest area (normally the grid cell)
containing a point on its surface. The database computes it (``gis_deepest_area`` in
gis_core/sql/) in a trigger on insert and on geometry change, so every write path (API,
admin, COPY imports) agrees; when an area's boundary changes, ``derived_areas_reassign``
recomputes the affected rows of every such model in one UPDATE each.
"""
from __future__ import annotations

import numpy as np
import pgtrigger
from django.apps import apps
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiLineString, MultiPolygon, Polygon
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CharField, Func
from django.utils.translation import gettext as _

WGS84 = 4326


def metres_per_degree(lat):
    """Lengths in metres of a degree of latitude and of a degree of longitude at latitude
    ``lat`` (degrees; a number or a numpy array), on the WGS84 ellipsoid."""
    phi = np.radians(lat)
    per_lat = 111132.954 - 559.822 * np.cos(2 * phi) + 1.175 * np.cos(4 * phi)
    per_lon = 111412.84 * np.cos(phi) - 93.5 * np.cos(3 * phi) + 0.118 * np.cos(5 * phi)
    return per_lat, per_lon


def degrees_reaching(metres: float, lat: float) -> float:
    """Degrees a box around a point at ``lat`` must extend to hold everything within
    ``metres`` of it (longitude degrees are the shorter), with a 5 % margin: the
    index-served ``&&``/``ST_DWithin`` prefilter before an exact distance in metres."""
    _per_lat, per_lon = metres_per_degree(min(abs(lat), 84.0))
    return float(metres / per_lon * 1.05)


# Most vertices a geometry from outside may have: a footprint or a site is drawn by hand
# or surveyed (hundreds at most); a district's boundary may run to tens of thousands.
MAX_VERTICES = 10_000
MAX_AREA_VERTICES = 250_000


def geometry_clean(geom: GEOSGeometry | None, *, field: str, allowed: tuple[str, ...],
                   promote_to_multi: bool = False, max_vertices: int = MAX_VERTICES) -> GEOSGeometry:
    """Validate a geometry received from outside; raise ValidationError naming ``field``.

    Checks: present, non-empty, of an allowed type, two-dimensional, at most
    ``max_vertices`` vertices, in EPSG:4326 with coordinates in longitude/latitude range,
    and valid (no self-intersection). A Polygon (LineString) is promoted to a MultiPolygon
    (MultiLineString) when the column stores multi-geometries.
    """
    def fail(message: str):
        raise ValidationError({field: [message]})

    if geom is None:
        fail(_("A geometry is required."))
    if geom.srid is None:
        geom.srid = WGS84
    if geom.srid != WGS84:
        fail(_("Coordinates must be in EPSG:4326 (WGS84 longitude/latitude); got EPSG:%(srid)s.")
             % {"srid": geom.srid})
    if geom.empty:
        fail(_("The geometry is empty."))
    if geom.geom_type not in allowed:
        fail(_("Expected %(allowed)s; got %(got)s.")
             % {"allowed": " or ".join(allowed), "got": geom.geom_type})
    if geom.hasz:
        fail(_("Two-dimensional coordinates (longitude, latitude) only: this geometry has heights (Z)."))
    if geom.num_coords > max_vertices:
        fail(_("At most %(max)s vertices; this geometry has %(n)s: simplify it.")
             % {"max": f"{max_vertices:,}", "n": f"{geom.num_coords:,}"})
    xmin, ymin, xmax, ymax = geom.extent
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        fail(_("Coordinates are outside longitude/latitude range: is the data projected "
               "(not EPSG:4326)? Extent: %(extent)s.") % {"extent": geom.extent})
    if not geom.valid:
        fail(_("Invalid geometry: %(reason)s.") % {"reason": geom.valid_reason})
    if promote_to_multi and isinstance(geom, Polygon):
        geom = MultiPolygon(geom, srid=WGS84)
    if promote_to_multi and isinstance(geom, LineString):
        geom = MultiLineString(geom, srid=WGS84)
    return geom


class GeometryType(Func):
    """PostGIS GeometryType(): 'POINT', 'POLYGON', … (for check constraints)."""

    function = "GeometryType"
    output_field = CharField()


def derive_area_trigger(geometry_field: str) -> pgtrigger.Trigger:
    """The trigger that keeps ``area`` derived from ``geometry_field``."""
    return pgtrigger.Trigger(
        name="derive_area",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.UpdateOf(geometry_field),
        func=f"NEW.area_id := gis_deepest_area(NEW.{geometry_field}); RETURN NEW;",
    )


def deepest_area_id(geom: GEOSGeometry) -> int | None:
    """The area a geometry would be assigned to, computed before writing it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT gis_deepest_area(ST_GeomFromEWKB(%s))", [bytes(geom.ewkb)])
        return cursor.fetchone()[0]


def derived_area_models() -> list[type]:
    """Models whose ``area`` is derived from a geometry (they declare
    ``derived_area_geometry``)."""
    return [m for m in apps.get_models() if getattr(m, "derived_area_geometry", None)]


def derived_areas_reassign(extent: GEOSGeometry) -> dict[str, int]:
    """Recompute the derived area of every record whose geometry touches ``extent``
    (typically the envelope of an area's old and new boundary). Returns rows changed per
    model. Runs inside the caller's transaction."""
    changed = {}
    with connection.cursor() as cursor:
        for model in derived_area_models():
            table = model._meta.db_table
            column = model._meta.get_field(model.derived_area_geometry).column
            cursor.execute(
                f"""
                UPDATE {table} t SET area_id = d.area_id
                FROM (SELECT id, gis_deepest_area({column}) AS area_id FROM {table}
                      WHERE {column} && ST_GeomFromEWKB(%s)) d
                WHERE t.id = d.id AND t.area_id IS DISTINCT FROM d.area_id
                """,
                [bytes(extent.ewkb)],
            )
            changed[model._meta.label] = cursor.rowcount
    return changed


def geometry_locate(geom: GEOSGeometry | None, *, user, field: str, allowed: tuple[str, ...],
                    promote_to_multi: bool = False) -> tuple[GEOSGeometry, int]:
    """Clean a geometry from outside and find its derived area, which must exist and be
    within the user's areas. Returns (geometry, area id)."""
    from gis_core.scoping import is_area_in_scope

    geom = geometry_clean(geom, field=field, allowed=allowed, promote_to_multi=promote_to_multi)
    area_id = deepest_area_id(geom)
    if area_id is None:
        raise ValidationError({field: [_("The location lies outside every area of the district.")]})
    if not is_area_in_scope(user, area_id):
        raise ValidationError({field: [_("The location lies outside your areas.")]})
    return geom, area_id
