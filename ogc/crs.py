"""The coordinate systems features are served in (OGC API – Features Part 2).

Everything is stored in WGS84 longitude/latitude (EPSG:4326, x = longitude), which is
also the default output, CRS84. The others are what Chinese survey and planning software
expects: CGCS2000 (EPSG:4490; PROJ's transformation from WGS84 is the identity) and the
CGCS2000 3-degree Gauss–Krüger zone with central meridian 102°E, which covers the
district (100.5–103.5°E; EPSG:4543, and EPSG:4522 with the zone number 34 before the
easting), plus Web Mercator for web maps.

Coordinates follow each CRS's own axis order, as Part 2 requires: EPSG:4326 and 4490 are
latitude, longitude, and the Gauss–Krüger systems northing (X), easting (Y); only CRS84
and EPSG:3857 are x = east. PostGIS always works east-first, so those others are flipped
(``ST_FlipCoordinates``) on the way out and ``bbox`` values read in that order on the way in.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import GeoFunc, Transform
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import Polygon
from django.db.models import Expression, F
from pyproj import CRS

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
STORAGE_SRID = 4326


def epsg_uri(code: int) -> str:
    return f"http://www.opengis.net/def/crs/EPSG/0/{code}"


class FlipCoordinates(GeoFunc):
    function = "ST_FlipCoordinates"


@dataclass(frozen=True)
class OutputCrs:
    uri: str
    srid: int
    north_first: bool  # the first axis points north (latitude, or a Gauss–Krüger X)
    precision: int  # GeoJSON decimals: 1e-8° or 1 mm

    def geometry(self, field: str) -> Expression:
        """The stored geometry ``field`` in this CRS and axis order."""
        expression = F(field) if self.srid == STORAGE_SRID else Transform(field, self.srid)
        return FlipCoordinates(expression) if self.north_first else expression

    def box(self, values: list[float]) -> Polygon:
        """``bbox`` values (min, min, max, max in this CRS's axis order) as a polygon in
        the storage CRS; ValueError when they cannot be transformed (far outside the CRS's
        area), which PostGIS would otherwise raise mid-query."""
        x0, y0, x1, y1 = (values[1], values[0], values[3], values[2]) if self.north_first else values
        polygon = Polygon.from_bbox((x0, y0, x1, y1))
        polygon.srid = self.srid
        if self.srid != STORAGE_SRID:
            try:
                polygon.transform(STORAGE_SRID)  # GDAL, in x = east order like PostGIS
            except GDALException as error:
                raise ValueError(str(error)) from error
            if not all(math.isfinite(v) for v in polygon.extent):
                raise ValueError("not finite")
        return polygon


def _epsg(code: int) -> OutputCrs:
    crs = CRS.from_epsg(code)
    return OutputCrs(epsg_uri(code), code, crs.axis_info[0].direction == "north",
                     8 if crs.is_geographic else 3)


SUPPORTED: list[OutputCrs] = [
    OutputCrs(CRS84, STORAGE_SRID, False, 8),
    *(_epsg(code) for code in (4326, 4490, 4543, 4522, 3857)),
]
DEFAULT = SUPPORTED[0]
_BY_URI = {c.uri: c for c in SUPPORTED}


def crs_for(text: str) -> OutputCrs | None:
    """The supported CRS a client named: its URI, a safe CURIE ``[EPSG:4490]``,
    ``EPSG:4490`` or ``OGC:CRS84``/``CRS84``; None when unknown."""
    value = text.strip()
    if value.startswith("[") and value.endswith("]"):
        value = value[1:-1]
    if value.upper() in ("CRS84", "OGC:CRS84"):
        return DEFAULT
    authority, _sep, code = value.partition(":")
    if authority.upper() == "EPSG" and code.isdigit():
        value = epsg_uri(int(code))
    return _BY_URI.get(value.replace("https://", "http://", 1))
