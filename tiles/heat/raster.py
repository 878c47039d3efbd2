"""Density rasters: PNG XYZ tiles on a fixed colour scale, rasters of a whole scope, and
the legend.

Tiles are binned with a margin of the kernel's radius around them, so a building just
outside a tile still warms its edge and neighbouring tiles agree. Colours come from a
fixed scale per (metric, parameters, window, area, scope) — never per tile, or tiles
would show seams: its top is the 99.5th percentile of density over the whole scope on a
coarse grid, computed once and kept in Django's cache.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from django.contrib.gis.db.models import Extent
from django.contrib.gis.db.models.functions import Transform
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile

from gis_core.models import Area
from gis_core.scoping import UNRESTRICTED, user_area_prefixes
from tiles.heat.binning import (
    SIGMA_M,
    bin_sql,
    bins,
    grid,
    kernel_radius,
    lat_of_3857_y,
    mercator_cell_km2,
    rows,
    smooth,
)
from tiles.heat.metrics import WEB_MERCATOR, WGS84, HeatQuery, PointsSQL
from tiles.tilemath import TILE_PIXELS, box_intersection, resolution, tile_bbox_4326, tile_bounds_3857

SIGMA_PX_MIN, SIGMA_PX_MAX = 1.5, 40.0  # kernel σ clamped to this many tile pixels

SCALE_PIXEL_M = 60.0                   # ground size of the coarse grid the colour scale is measured on
SCALE_MAX_CELLS = 1_000_000            # … coarser for scopes larger than this many of them
SCALE_PERCENTILE = 99.5
SCALE_CACHE_SECONDS = 300

PNG_ZLEVEL = 3                         # zlib level: 9 ms and ~60 kB a tile; GDAL's default 6: 21 ms, ~50 kB

# (fraction of the scale's maximum, colour, opacity): transparent → yellow → orange → red → dark red
RAMP = (
    (0.00, "#ffff80", 0.00),
    (0.10, "#ffeb00", 0.45),
    (0.35, "#ff9800", 0.65),
    (0.65, "#f01e00", 0.80),
    (1.00, "#7f0000", 0.90),
)


# ---------------------------------------------------------------------------- PNG tiles

@dataclass(frozen=True)
class TileGrid:
    """The pixel grid a tile is binned on: the tile's own pixels plus a margin of the
    kernel's radius all round (its top-left corner at (left, top), EPSG:3857), and the
    lon/lat box of points to fetch for it."""

    pixel: float
    sigma: float
    margin: int
    left: float
    top: float
    bbox: tuple[float, float, float, float]

    @classmethod
    def of(cls, z: int, x: int, y: int) -> TileGrid:
        xmin, ymin, _xmax, ymax = tile_bounds_3857(z, x, y)
        pixel = resolution(z)
        ground_pixel = pixel * math.cos(math.radians(float(lat_of_3857_y((ymin + ymax) / 2))))
        sigma = min(max(SIGMA_M / ground_pixel, SIGMA_PX_MIN), SIGMA_PX_MAX)
        margin = kernel_radius(sigma)
        return cls(pixel, sigma, margin, left=xmin - margin * pixel, top=ymax + margin * pixel,
                   bbox=tile_bbox_4326(z, x, y, margin=margin / TILE_PIXELS))

    @property
    def size(self) -> int:
        return TILE_PIXELS + 2 * self.margin

    def sql(self, query: HeatQuery, bbox: tuple[float, float, float, float]) -> PointsSQL:
        """The binning query of this tile's points in ``bbox`` (``points_box``)."""
        points = query.points(bbox=bbox, srid=WEB_MERCATOR)
        return bin_sql(points, left=self.left, top=self.top, pixel=self.pixel)


def tile_density(query: HeatQuery, z: int, x: int, y: int) -> np.ndarray | None:
    """People per km² on the tile's 256 × 256 pixels (row 0 north), or None when no
    point is near the tile: binned over the tile and its margin, smoothed, cropped."""
    tile = TileGrid.of(z, x, y)
    bbox = points_box(query, tile.bbox)
    if bbox is None:
        return None
    array = grid(bins(tile.sql(query, bbox)), tile.size, tile.size)
    if not array.any():
        return None
    inner = slice(tile.margin, tile.margin + TILE_PIXELS)
    counts = smooth(array, tile.sigma)[inner, inner]
    row_y = tile.top - (tile.margin + np.arange(TILE_PIXELS) + 0.5) * tile.pixel
    return counts / mercator_cell_km2(row_y, tile.pixel)[:, None]


def _ramp_lut() -> np.ndarray:
    """256 RGBA colours along RAMP; entry 0 is fully transparent."""
    at = np.linspace(0, 1, 256)
    stops = np.array([s[0] for s in RAMP])
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for _f, c, _a in RAMP], dtype=float)
    alpha = np.array([a for *_rest, a in RAMP]) * 255
    channels = [np.interp(at, stops, rgb[:, k]) for k in range(3)] + [np.interp(at, stops, alpha)]
    return np.round(np.stack(channels, axis=1)).astype(np.uint8)


RAMP_LUT = _ramp_lut()


def colourise(density: np.ndarray, maximum: float) -> np.ndarray:
    """height × width × 4 RGBA bytes of densities on the fixed scale [0, maximum]."""
    index = np.clip(np.rint(density / maximum * 255), 0, 255).astype(np.intp)
    return RAMP_LUT[index]


def png_encode(rgba: np.ndarray) -> bytes:
    """A 4-band PNG through GDAL (rasterio), no georeferencing: it is an XYZ tile."""
    height, width, bands = rgba.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile() as memory:
            with memory.open(driver="PNG", width=width, height=height, count=bands, dtype="uint8",
                             zlevel=PNG_ZLEVEL) as png:
                png.write(np.moveaxis(rgba, 2, 0))
            return memory.read()


def tile_png(query: HeatQuery, z: int, x: int, y: int) -> bytes | None:
    """The PNG of one XYZ tile, or None when nothing shows on it."""
    density = tile_density(query, z, x, y)
    if density is None:
        return None
    rgba = colourise(density, scale(query).maximum)
    if not rgba[:, :, 3].any():
        return None
    return png_encode(rgba)


# ---------------------------------------------------------------------------- scope extent and rasters

def extent_areas(query: HeatQuery) -> QuerySet[Area]:
    """The areas a download or scale covers: the requested one, else the user's own,
    else (the unrestricted operator) the top of the hierarchy."""
    if query.window.area is not None:
        return Area.objects.filter(pk=query.window.area.pk)
    if user_area_prefixes(query.user) is UNRESTRICTED:
        return Area.objects.filter(parent__isnull=True)
    return query.user.areas.all()


def area_extent(query: HeatQuery, srid: int) -> tuple[float, float, float, float] | None:
    """(xmin, ymin, xmax, ymax) of those areas' boundaries in ``srid``, or None."""
    boundary = "boundary" if srid == WGS84 else Transform("boundary", srid)
    return extent_areas(query).aggregate(extent=Extent(boundary))["extent"]


# Points of the scope lie in its areas; this much slack (degrees, ≈ 500 m) keeps a point
# placed a little outside its area's boundary.
SCOPE_BOX_SLACK = 0.005


def points_box(query: HeatQuery, bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float] | None:
    """``bbox`` (lon/lat) cut to the box of the areas the query covers, or None when they
    do not meet. A low-zoom tile spans several districts: without the cut a district user's
    tile read its neighbours' points through the index for the scope to drop them (on a
    city of ten districts, 460,000 buildings for 100,000)."""
    extent = area_extent(query, WGS84)
    if extent is None:
        return bbox
    return box_intersection(bbox, (extent[0] - SCOPE_BOX_SLACK, extent[1] - SCOPE_BOX_SLACK,
                                   extent[2] + SCOPE_BOX_SLACK, extent[3] + SCOPE_BOX_SLACK))


@dataclass(frozen=True)
class Raster:
    """Smoothed counts per pixel of a north-up grid: ``counts[0, 0]`` has its top-left
    corner at (left, top) in ``srid`` units; ``pixel`` wide and high."""

    counts: np.ndarray
    left: float
    top: float
    pixel: float
    srid: int
    total: float  # the binned weights' sum, exact (the band's sum up to rounding)

    def row_centres(self) -> np.ndarray:
        return self.top - (np.arange(self.counts.shape[0]) + 0.5) * self.pixel


class RasterTooLarge(ValueError):
    def __init__(self, height: int, width: int):
        super().__init__(f"{width} × {height} pixels")
        self.height, self.width = height, width


def raster(query: HeatQuery, *, srid: int, pixel: float, sigma_px: float,
           extent: tuple[float, float, float, float] | None, max_cells: int) -> Raster | None:
    """The smoothed counts of the whole scope on a grid aligned to multiples of
    ``pixel`` in ``srid``, covering ``extent`` and every point, padded by the kernel
    radius so that no weight is smoothed off the edge. None when there is neither;
    RasterTooLarge beyond ``max_cells``."""
    found = bins(bin_sql(query.points(srid=srid), left=0.0, top=0.0, pixel=pixel))
    all_rows, all_cols = [found.rows], [found.cols]
    if extent is not None:
        xmin, ymin, xmax, ymax = extent
        all_rows.append(np.floor(np.array([-ymax, -ymin]) / pixel).astype(np.int64))
        all_cols.append(np.floor(np.array([xmin, xmax]) / pixel).astype(np.int64))
    all_rows, all_cols = np.concatenate(all_rows), np.concatenate(all_cols)
    if not len(all_rows):
        return None
    margin = kernel_radius(sigma_px)
    row0, col0 = int(all_rows.min()) - margin, int(all_cols.min()) - margin
    height, width = int(all_rows.max()) + margin + 1 - row0, int(all_cols.max()) + margin + 1 - col0
    if height * width > max_cells:
        raise RasterTooLarge(height, width)
    counts = smooth(grid(found, height, width, row0=row0, col0=col0), sigma_px)
    return Raster(counts, left=col0 * pixel, top=-row0 * pixel, pixel=pixel, srid=srid,
                  total=float(found.weights.sum()))


# ---------------------------------------------------------------------------- colour scale and legend

@dataclass(frozen=True)
class Scale:
    maximum: float  # density (per km²) at the top of the ramp


def _scale_pixel(extent) -> tuple[float, float]:
    """(ground metres, EPSG:3857 units) of the scale's grid pixel: SCALE_PIXEL_M, or
    coarser so that the scope's extent stays within SCALE_MAX_CELLS."""
    if extent is None:
        return SCALE_PIXEL_M, SCALE_PIXEL_M
    cos_lat = math.cos(math.radians(float(lat_of_3857_y((extent[1] + extent[3]) / 2))))
    ground_area = (extent[2] - extent[0]) * (extent[3] - extent[1]) * cos_lat ** 2
    pixel_m = max(SCALE_PIXEL_M, math.sqrt(ground_area / SCALE_MAX_CELLS))
    return pixel_m, pixel_m / cos_lat


def measure_scale(query: HeatQuery) -> Scale:
    """The 99.5th percentile of smoothed density over the populated part of the scope
    (pixels above a thousandth of the peak), on a grid of about SCALE_PIXEL_M."""
    extent = area_extent(query, WEB_MERCATOR)
    pixel_m, pixel = _scale_pixel(extent)
    try:
        coarse = raster(query, srid=WEB_MERCATOR, pixel=pixel, sigma_px=SIGMA_M / pixel_m, extent=extent,
                        max_cells=4 * SCALE_MAX_CELLS)
    except RasterTooLarge:  # points far outside the areas: only an operator without areas
        raise ValidationError({"area": [_("Choose an area: yours are too large for one heatmap.")]}) from None
    if coarse is None or not coarse.counts.any():
        return Scale(maximum=1.0)
    density = coarse.counts / mercator_cell_km2(coarse.row_centres(), pixel)[:, None]
    populated = density[density > density.max() * 1e-3]
    return Scale(maximum=max(float(np.percentile(populated, SCALE_PERCENTILE)), 1e-9))


def scale(query: HeatQuery) -> Scale:
    """The colour scale of a (metric, parameters, window, area, scope), from the cache
    or measured once."""
    key = query.cache_key("scale")
    found = cache.get(key)
    if found is None:
        found = measure_scale(query)
        cache.set(key, found, SCALE_CACHE_SECONDS)
    return found


def total(query: HeatQuery) -> float:
    """The weighted count in the scope, area and window (always current: it is one
    aggregate, cheap next to a tile)."""
    sql, params = query.points()
    (value,), = rows(f"SELECT coalesce(sum(p.weight), 0)::float8 FROM ({sql}) p", params)
    return value


def number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 3)


def legend(query: HeatQuery) -> dict:
    top = scale(query).maximum
    return {
        "metric": query.metric.code,
        "title": str(query.metric.title),
        "unit": query.metric.density_unit,
        "stops": [[number(fraction * top), colour] for fraction, colour, _alpha in RAMP],
        "max": number(top),
        "total": number(total(query)),
    }
