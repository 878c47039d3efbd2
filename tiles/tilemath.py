"""Web-Mercator tile arithmetic (XYZ scheme, as MapLibre, QGIS and GDAL use)."""
from __future__ import annotations

import math

from django.contrib.gis.geos import Polygon

EARTH_HALF = 20037508.342789244  # half the EPSG:3857 world width, metres
TILE_PIXELS = 256
MAX_ZOOM = 24


def tile_valid(z: int, x: int, y: int) -> bool:
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2 ** z and 0 <= y < 2 ** z


def tile_bounds_3857(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) of a tile in EPSG:3857 metres."""
    size = 2 * EARTH_HALF / 2 ** z
    xmin = -EARTH_HALF + x * size
    ymax = EARTH_HALF - y * size
    return xmin, ymax - size, xmin + size, ymax


def resolution(z: int, pixels: int = TILE_PIXELS) -> float:
    """Metres (EPSG:3857) per pixel of a tile ``pixels`` wide."""
    return 2 * EARTH_HALF / 2 ** z / pixels


def lonlat_to_3857(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, 85.05112878), -85.05112878)
    return lon * EARTH_HALF / 180, math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * EARTH_HALF / math.pi


def m3857_to_lonlat(x: float, y: float) -> tuple[float, float]:
    return x * 180 / EARTH_HALF, math.degrees(2 * math.atan(math.exp(y * math.pi / EARTH_HALF)) - math.pi / 2)


def tile_bbox_4326(z: int, x: int, y: int, margin: float = 0.0) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the tile in EPSG:4326, grown by ``margin`` (a fraction
    of the tile size): what an index-backed ``geom && envelope`` filter needs to catch
    every feature that a buffered tile draws."""
    xmin, ymin, xmax, ymax = tile_bounds_3857(z, x, y)
    grow = (xmax - xmin) * margin
    west, south = m3857_to_lonlat(xmin - grow, ymin - grow)
    east, north = m3857_to_lonlat(xmax + grow, ymax + grow)
    return west, south, east, north


def box_intersection(a: tuple[float, float, float, float],
                     b: tuple[float, float, float, float]) -> tuple[float, float, float, float] | None:
    """The overlap of two (xmin, ymin, xmax, ymax) boxes, or None when they do not meet."""
    box = (max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3]))
    return box if box[0] <= box[2] and box[1] <= box[3] else None


def tile_envelope_4326(z: int, x: int, y: int, margin: float = 0.0) -> Polygon:
    """tile_bbox_4326 as a polygon."""
    envelope = Polygon.from_bbox(tile_bbox_4326(z, x, y, margin))
    envelope.srid = 4326
    return envelope


def tiles_covering(extent: tuple[float, float, float, float], z: int, margin: float = 0.0):
    """(x, y) of the tiles at zoom ``z`` that a lon/lat extent touches (tiles buffered by
    ``margin`` of their size count as touching)."""
    west, south, east, north = extent
    xmin, ymin = lonlat_to_3857(west, south)
    xmax, ymax = lonlat_to_3857(east, north)
    size = 2 * EARTH_HALF / 2 ** z
    grow = size * margin
    first_x = max(0, math.floor((xmin - grow + EARTH_HALF) / size))
    last_x = min(2 ** z - 1, math.floor((xmax + grow + EARTH_HALF) / size))
    first_y = max(0, math.floor((EARTH_HALF - ymax - grow) / size))
    last_y = min(2 ** z - 1, math.floor((EARTH_HALF - ymin + grow) / size))
    for tx in range(first_x, last_x + 1):
        for ty in range(first_y, last_y + 1):
            yield tx, ty
