"""Geometry checks of imported rows, vectorised over the whole file: the right type,
inside longitude/latitude range, valid — or repaired (shapely make_valid, keeping only
the parts of the expected type) and reported, or rejected with the reason.

GEOS decides validity here exactly as PostGIS's ST_IsValid does in the tables' check
constraints, so a row that passes is never refused by the database.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from django.utils.translation import gettext as _

POINT, POLYGONAL, LINEAR = "point", "polygonal", "linear"
_POINT_TYPES = {shapely.GeometryType.POINT}
_POLYGON_TYPES = {shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON}
_LINE_TYPES = {shapely.GeometryType.LINESTRING, shapely.GeometryType.MULTILINESTRING}


@dataclass
class Checked:
    geometries: np.ndarray   # cleaned (None where rejected)
    rejected: np.ndarray     # reason or ''
    repaired: np.ndarray     # what was repaired or ''


def _family(type_id: int) -> str | None:
    if type_id in _POINT_TYPES:
        return POINT
    if type_id in _POLYGON_TYPES:
        return POLYGONAL
    if type_id in _LINE_TYPES:
        return LINEAR
    return None


def _polygonal_parts(geom) -> shapely.Geometry | None:
    """The polygons of a repaired geometry (make_valid may return a collection with the
    collapsed parts as lines or points), as one MultiPolygon, or None."""
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in _POLYGON_TYPES]
    if not parts:
        return None
    polygons = [q for p in parts for q in shapely.get_parts(p)]
    merged = shapely.multipolygons(polygons)
    return merged if shapely.is_valid(merged) else shapely.make_valid(merged)


def _linear_parts(geom) -> shapely.Geometry | None:
    """The lines of a repaired geometry (a line of one repeated point collapses), as one
    MultiLineString, or None."""
    lines = [q for p in shapely.get_parts(geom) if shapely.get_type_id(p) in _LINE_TYPES
             for q in shapely.get_parts(p)]
    return shapely.multilinestrings(lines) if lines else None


def _repair(geom, family: str) -> shapely.Geometry | None:
    repaired = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    if family == POLYGONAL:
        repaired = _polygonal_parts(repaired)
    elif family == LINEAR:
        repaired = _linear_parts(repaired)
    if repaired is None or repaired.is_empty or not shapely.is_valid(repaired) or \
            _family(shapely.get_type_id(repaired)) != family:
        return None
    return repaired


def geometries_check(geoms: np.ndarray, *, families: tuple[str, ...], multi: bool) -> Checked:
    """``families``: which of POINT/POLYGONAL/LINEAR the target accepts; ``multi``: store
    polygons as MultiPolygon (a footprint column) and lines as MultiLineString (a road's
    centre line)."""
    n = len(geoms)
    out = np.array(geoms, dtype=object)
    rejected = np.full(n, "", dtype=object)
    repaired = np.full(n, "", dtype=object)
    missing = shapely.is_missing(out) | shapely.is_empty(out)
    rejected[missing] = _("no geometry")
    types = shapely.get_type_id(out)
    expected = " / ".join({POINT: _("point"), POLYGONAL: _("polygon"), LINEAR: _("line")}[f] for f in families)
    for i in np.flatnonzero(~missing):
        family = _family(int(types[i]))
        if family is None and types[i] == shapely.GeometryType.MULTIPOINT and POINT in families \
                and shapely.get_num_geometries(out[i]) == 1:
            out[i], family = shapely.get_geometry(out[i], 0), POINT
        if family not in families:
            rejected[i] = _("expected a %(expected)s, got a %(got)s") % {"expected": expected,
                                                                      "got": out[i].geom_type}
    ok = rejected == ""
    bounds = shapely.bounds(out)
    with np.errstate(invalid="ignore"):
        outside = ok & ~((bounds[:, 0] >= -180) & (bounds[:, 2] <= 180) & (bounds[:, 1] >= -90) & (bounds[:, 3] <= 90))
    rejected[outside] = _("coordinates outside longitude/latitude range (is the coordinate system right?)")
    ok &= ~outside
    invalid = ok & ~shapely.is_valid(out)
    for i in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(out[i])
        fixed = _repair(out[i], _family(int(types[i])) or POINT)
        if fixed is None:
            rejected[i] = _("invalid geometry that cannot be repaired: %(reason)s") % {"reason": reason}
        else:
            out[i], repaired[i] = fixed, _("repaired invalid geometry: %(reason)s") % {"reason": reason}
    if multi:
        polygons = (rejected == "") & (shapely.get_type_id(out) == shapely.GeometryType.POLYGON)
        if polygons.any():
            out[polygons] = shapely.multipolygons(out[polygons], indices=np.arange(int(polygons.sum())))
        lines = (rejected == "") & (shapely.get_type_id(out) == shapely.GeometryType.LINESTRING)
        if lines.any():
            out[lines] = shapely.multilinestrings(out[lines], indices=np.arange(int(lines.sum())))
    out[rejected != ""] = None
    return Checked(out, rejected, repaired)
