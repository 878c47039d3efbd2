"""Server-side heatmaps: never ship raw points to the browser.

A street official's map shows where people (or people with a key-group tag) live as a
smoothed density surface. The browser gets pictures and aggregates only: PNG tiles, a
legend, a GeoTIFF for QGIS and hexagon counts as vector tiles. Nothing here returns one
row per person, and nothing leaves the user's areas.

Design
------
*Metrics* are the extension point. A ``HeatMetric`` knows one thing: the SQL of its
weighted points, rows ``(x, y, weight)`` in the SRID the caller asks for, already limited
to the user's scope, the requested area, the time window and (for tiles) a lon/lat box
that a GiST index can serve — all carried by a ``HeatWindow``. Apps register their own
metrics with ``register_metric`` (incidents and IoT alerts arrive later); this module ships
"people" (current residents per building) and "tag" (residents with a key-group tag).
``scoped``, ``queryset_points`` and ``residences_during`` make writing a metric a few
lines of ORM.

Everything else is metric-agnostic:

* Binning happens in PostgreSQL: the points query is wrapped in ``GROUP BY`` pixel (PNG,
  GeoTIFF, colour scale) or hexagon (MVT), so the rows that come back are bounded by the
  size of the output (≤ 496² for a tile), not by the population.
* Smoothing is a Gaussian kernel of a fixed *ground* radius (``SIGMA_M``), so a
  neighbourhood looks the same at every zoom; in pixels it is clamped to
  ``SIGMA_PX_MIN..SIGMA_PX_MAX``. Tiles are binned with a margin of the kernel's radius
  around them, so a building just outside a tile still warms its edge and neighbouring
  tiles agree.
* Colours come from a fixed scale per (metric, parameters, window, area, scope) — never
  per tile, or tiles would show seams: its top is the 99.5th percentile of density over
  the whole scope on a coarse grid, computed once and kept in Django's cache.
* The GeoTIFF pads its raster by the kernel radius so smoothing loses nothing: the band
  sums to the exact count it represents. It is in the local CGCS2000 3-degree
  Gauss–Krüger projection, where pixels are square metres on the ground.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from django.contrib.gis.geos import Polygon
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from scipy.ndimage import gaussian_filter

from assets.models import Building, PersonTag, Residence
from gis_core.models import Area
from gis_core.personal_data import may_see_personal_data
from gis_core.scoping import UNRESTRICTED, scope_queryset, user_area_prefixes
from tiles.tilemath import EARTH_HALF, TILE_PIXELS, resolution, tile_bounds_3857, tile_envelope_4326

WEB_MERCATOR = 3857
WGS84 = 4326

SIGMA_M = 120.0                        # kernel σ, ground metres
SIGMA_PX_MIN, SIGMA_PX_MAX = 1.5, 40.0  # … clamped to this many tile pixels
TRUNCATE = 3.0                         # kernel radius, in σ: also the margin binned around a tile

SCALE_PIXEL_M = 60.0                   # ground size of the coarse grid the colour scale is measured on
SCALE_MAX_CELLS = 4_000_000            # … grown for very large scopes
SCALE_PERCENTILE = 99.5
SCALE_CACHE_SECONDS = 300

GEOTIFF_MAX_CELLS = 10_000_000         # 40 MB of float32
HEX_PER_TILE = 12                      # hexagon edge = tile width / this
MVT_EXTENT, MVT_BUFFER = 4096, 64

# (fraction of the scale's maximum, colour, opacity): transparent → yellow → orange → red → dark red
RAMP = (
    (0.00, "#ffff80", 0.00),
    (0.10, "#ffeb00", 0.45),
    (0.35, "#ff9800", 0.65),
    (0.65, "#f01e00", 0.80),
    (1.00, "#7f0000", 0.90),
)


# ============================================================================ registry

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


def metrics() -> list[HeatMetric]:
    return list(_METRICS.values())


# ============================================================================ helpers for metrics

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
    return (
        "SELECT ST_X(t.g) AS x, ST_Y(t.g) AS y, t.weight FROM ("
        f"SELECT ST_Transform(s.geom, %s) AS g, s.weight FROM ({sql}) s OFFSET 0) t",
        [window.srid, *params],
    )


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


# ============================================================================ the metrics shipped here

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


# ============================================================================ one request

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
        prefixes = user_area_prefixes(self.user)
        return "*" if prefixes is UNRESTRICTED else ",".join(sorted(prefixes)) or "-"

    def cache_key(self, kind: str) -> str:
        """Same metric, parameters, window, area and scope → same key (two users with
        the same areas share a scale)."""
        parts = [kind, self.metric.code, self.params, self.window.label(),
                 self.window.area.pk if self.window.area else None, self.scope_label()]
        digest = hashlib.sha1(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
        return f"heat:{kind}:{self.metric.code}:{digest}"


# Planner settings for the heat queries only (SET LOCAL: they end with the transaction).
# PostGIS declares ST_Transform costly, so PostgreSQL would JIT-compile these ~100 ms
# queries for a second or more, ship geometries through parallel workers (slower than one
# process here), and group by pixel with a sort where hashing is a third faster: it
# cannot estimate how few pixels there are.
PLANNER_SETTINGS = {"jit": "off", "max_parallel_workers_per_gather": "0", "enable_sort": "off"}


def _rows(sql: str, params: list) -> list[tuple]:
    """Run one heat query with PLANNER_SETTINGS."""
    settings = ", ".join("set_config(%s, %s, true)" for _name in PLANNER_SETTINGS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT {settings}", [v for item in PLANNER_SETTINGS.items() for v in item])
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass(frozen=True)
class Bins:
    """Weights binned on a pixel grid: ``rows[i]``, ``cols[i]`` → ``weights[i]``."""

    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray

    @property
    def empty(self) -> bool:
        return not len(self.weights)


def _bins(points: PointsSQL, *, left: float, top: float, pixel: float) -> Bins:
    """Sum the weights per pixel of a north-up grid whose pixel (0, 0) has its top-left
    corner at (left, top), in PostgreSQL: one row per non-empty pixel."""
    sql, params = points
    rows = _rows(
        "SELECT floor((%s - p.y) / %s)::int, floor((p.x - %s) / %s)::int, sum(p.weight)::float8 "
        f"FROM ({sql}) p GROUP BY 1, 2",
        [top, pixel, left, pixel, *params])
    data = np.array(rows, dtype=np.float64).reshape(-1, 3)
    return Bins(data[:, 0].astype(np.int64), data[:, 1].astype(np.int64), data[:, 2])


def _grid(bins: Bins, height: int, width: int, *, row0: int = 0, col0: int = 0) -> np.ndarray:
    """A height × width array of the bins whose pixel is inside it (grid pixel
    (row0, col0) is the array's [0, 0])."""
    grid = np.zeros((height, width), dtype=np.float64)
    rows, cols = bins.rows - row0, bins.cols - col0
    inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    grid[rows[inside], cols[inside]] = bins.weights[inside]
    return grid


def kernel_radius(sigma_px: float) -> int:
    """Pixels the kernel reaches (3σ, rounded as scipy does)."""
    return int(TRUNCATE * sigma_px + 0.5)


def smooth(grid: np.ndarray, sigma_px: float) -> np.ndarray:
    """Gaussian smoothing with zeros outside and a normalised kernel: on a grid padded
    by ``kernel_radius`` the sum is preserved."""
    radius = kernel_radius(sigma_px)
    if radius == 0:
        return grid
    return gaussian_filter(grid, sigma_px, mode="constant", cval=0.0, radius=radius)


def _lat_of_3857_y(y):
    """Latitude (degrees) of EPSG:3857 northings (vectorised tilemath.m3857_to_lonlat)."""
    return np.degrees(2 * np.arctan(np.exp(np.asarray(y) * math.pi / EARTH_HALF)) - math.pi / 2)


def mercator_cell_km2(ys: np.ndarray, pixel: float) -> np.ndarray:
    """Ground area (km²) of EPSG:3857 pixels centred at northings ``ys``: a Mercator
    pixel spans ``pixel · cos φ`` metres on the ground each way."""
    return (pixel * np.cos(np.radians(_lat_of_3857_y(ys)))) ** 2 / 1e6


# ============================================================================ PNG tiles

def tile_sigma_px(z: int, y_centre: float) -> float:
    ground_pixel = resolution(z) * math.cos(math.radians(float(_lat_of_3857_y(y_centre))))
    return min(max(SIGMA_M / ground_pixel, SIGMA_PX_MIN), SIGMA_PX_MAX)


def tile_density(query: HeatQuery, z: int, x: int, y: int) -> np.ndarray | None:
    """People per km² on the tile's 256 × 256 pixels (row 0 north), or None when no
    point is near the tile. The points are binned over the tile grown by the kernel
    radius, smoothed, then cropped."""
    xmin, ymin, xmax, ymax = tile_bounds_3857(z, x, y)
    pixel = resolution(z)
    sigma = tile_sigma_px(z, (ymin + ymax) / 2)
    margin = kernel_radius(sigma)
    bbox = tile_envelope_4326(z, x, y, margin=margin / TILE_PIXELS).extent
    bins = _bins(query.points(bbox=bbox, srid=WEB_MERCATOR),
                 left=xmin - margin * pixel, top=ymax + margin * pixel, pixel=pixel)
    size = TILE_PIXELS + 2 * margin
    grid = _grid(bins, size, size)
    if not grid.any():
        return None
    counts = smooth(grid, sigma)[margin:margin + TILE_PIXELS, margin:margin + TILE_PIXELS]
    row_y = ymax - (np.arange(TILE_PIXELS) + 0.5) * pixel
    return counts / mercator_cell_km2(row_y, pixel)[:, None]


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
    from rasterio.errors import NotGeoreferencedWarning
    from rasterio.io import MemoryFile

    height, width, bands = rgba.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile() as memory:
            with memory.open(driver="PNG", width=width, height=height, count=bands, dtype="uint8") as png:
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


# ============================================================================ scope extent and rasters

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
    from django.contrib.gis.db.models import Extent
    from django.contrib.gis.db.models.functions import Transform

    boundary = "boundary" if srid == WGS84 else Transform("boundary", srid)
    return extent_areas(query).aggregate(extent=Extent(boundary))["extent"]


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


def raster(query: HeatQuery, *, srid: int, pixel: float, sigma_px: float,
           extent: tuple[float, float, float, float] | None, max_cells: int,
           too_large: Callable[[int, int], Exception]) -> Raster | None:
    """The smoothed counts of the whole scope on a grid aligned to multiples of
    ``pixel`` in ``srid``, covering ``extent`` and every point, padded by the kernel
    radius so that no weight is smoothed off the edge. None when there is neither."""
    bins = _bins(query.points(srid=srid), left=0.0, top=0.0, pixel=pixel)
    rows, cols = [bins.rows], [bins.cols]
    if extent is not None:
        xmin, ymin, xmax, ymax = extent
        rows.append(np.floor(np.array([-ymax, -ymin]) / pixel).astype(np.int64))
        cols.append(np.floor(np.array([xmin, xmax]) / pixel).astype(np.int64))
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    if not len(rows):
        return None
    margin = kernel_radius(sigma_px)
    row0, col0 = int(rows.min()) - margin, int(cols.min()) - margin
    height, width = int(rows.max()) + margin + 1 - row0, int(cols.max()) + margin + 1 - col0
    if height * width > max_cells:
        raise too_large(height, width)
    counts = smooth(_grid(bins, height, width, row0=row0, col0=col0), sigma_px)
    return Raster(counts, left=col0 * pixel, top=-row0 * pixel, pixel=pixel, srid=srid,
                  total=float(bins.weights.sum()))


# ============================================================================ colour scale and legend

@dataclass(frozen=True)
class Scale:
    maximum: float  # density (per km²) at the top of the ramp


def _measure_scale(query: HeatQuery) -> Scale:
    """The 99.5th percentile of smoothed density over the populated part of the scope,
    on a grid of about SCALE_PIXEL_M on the ground (coarser for huge scopes)."""
    extent = area_extent(query, WEB_MERCATOR)
    pixel_m = SCALE_PIXEL_M
    cos_lat = 1.0
    if extent is not None:
        cos_lat = math.cos(math.radians(float(_lat_of_3857_y((extent[1] + extent[3]) / 2))))
        cells = (extent[2] - extent[0]) * (extent[3] - extent[1]) * cos_lat ** 2 / pixel_m ** 2
        pixel_m *= max(1.0, math.sqrt(cells / (SCALE_MAX_CELLS / 4)))
    pixel = pixel_m / cos_lat
    coarse = raster(query, srid=WEB_MERCATOR, pixel=pixel, sigma_px=SIGMA_M / pixel_m, extent=extent,
                    max_cells=SCALE_MAX_CELLS * 4, too_large=lambda h, w: ValidationError(
                        {"area": [_("The area is too large for a heatmap.")]}))
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
        found = _measure_scale(query)
        cache.set(key, found, SCALE_CACHE_SECONDS)
    return found


def total(query: HeatQuery) -> float:
    """The weighted count in the scope, area and window (always current: it is one
    aggregate, cheap next to a tile)."""
    sql, params = query.points()
    (value,), = _rows(f"SELECT coalesce(sum(p.weight), 0)::float8 FROM ({sql}) p", params)
    return value


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 3)


def legend(query: HeatQuery) -> dict:
    top = scale(query).maximum
    return {
        "metric": query.metric.code,
        "title": str(query.metric.title),
        "unit": query.metric.density_unit,
        "stops": [[_number(fraction * top), colour] for fraction, colour, _alpha in RAMP],
        "max": _number(top),
        "total": _number(total(query)),
    }


# ============================================================================ GeoTIFF

def gauss_kruger_epsg(lon: float) -> int:
    """EPSG code of the CGCS2000 3-degree Gauss–Krüger zone (central-meridian form,
    EPSG:4534–4554 for CM 75°E–135°E) nearest ``lon``."""
    cm = 3 * math.floor(lon / 3 + 0.5)
    if not 75 <= cm <= 135:
        raise ValueError(f"no CGCS2000 3-degree zone for longitude {lon:.3f}")
    return 4534 + (cm - 75) // 3


def _geotiff_crs(query: HeatQuery) -> int:
    extent = area_extent(query, WGS84)
    if extent is None:
        sql, params = query.points(srid=WGS84)
        (lon,), = _rows(f"SELECT avg(p.x) FROM ({sql}) p", params)
    else:
        lon = (extent[0] + extent[2]) / 2
    if lon is None:
        raise ValidationError({"area": [_("There is nothing to map in your areas.")]})
    try:
        return gauss_kruger_epsg(lon)
    except ValueError:
        raise ValidationError({"area": [_("The area is outside China's CGCS2000 zones.")]}) from None


def download_name(query: HeatQuery) -> str:
    """heat-people-530103001.tif: metric, its parameters, the area (or scope) prefix."""
    if query.window.area is not None:
        where = query.window.area.prefix
    else:
        where = "all" if query.scope_label() == "*" else query.scope_label().replace(",", "_")
    parts = ["heat", query.metric.code, *(query.params[k] for k in sorted(query.params)), where]
    if query.window.timed:
        parts.append(query.window.label().replace("/", "_").replace("..", "open"))
    return "-".join(parts) + ".tif"


def geotiff(query: HeatQuery, pixel: float) -> bytes:
    """A float32 GeoTIFF of smoothed counts per pixel (people per pixel) whose band sums
    to the total, in the scope's Gauss–Krüger zone, north-up, LZW-compressed."""
    from rasterio.crs import CRS
    from rasterio.io import MemoryFile
    from rasterio.transform import from_origin

    srid = _geotiff_crs(query)
    result = raster(query, srid=srid, pixel=pixel, sigma_px=SIGMA_M / pixel,
                    extent=area_extent(query, srid), max_cells=GEOTIFF_MAX_CELLS,
                    too_large=lambda h, w: ValidationError({"pixel": [
                        _("The raster would be %(w)d × %(h)d pixels; choose larger pixels.") % {"w": w, "h": h}]}))
    if result is None:
        raise ValidationError({"area": [_("There is nothing to map in your areas.")]})
    band = result.counts.astype(np.float32)
    height, width = band.shape
    with MemoryFile() as memory:
        with memory.open(driver="GTiff", width=width, height=height, count=1, dtype="float32",
                         crs=CRS.from_epsg(srid), transform=from_origin(result.left, result.top, pixel, pixel),
                         compress="lzw", predictor=3, tiled=width > 512 and height > 512) as tif:
            tif.write(band, 1)
            tif.set_band_description(1, query.metric.count_unit)
            tif.update_tags(metric=query.metric.code, unit=query.metric.count_unit,
                            total=_number(result.total), window=query.window.label(),
                            kernel=f"gaussian sigma {SIGMA_M:g} m", **query.params)
        return memory.read()


# ============================================================================ hexagon vector tiles

def hex_mvt(query: HeatQuery, z: int, x: int, y: int) -> bytes | None:
    """A Mapbox vector tile (layer "heat-hex") of the weighted counts per hexagon of
    ``ST_HexagonGrid`` over the tile, with density per km² of ground; None if empty.

    Points are fetched for the tile grown by a hexagon's width, so a hexagon that the
    tile edge cuts still counts all its points and neighbouring tiles agree.

    The point-in-hexagon test is ``ST_Intersects``, but only against the two hexagons
    that can hold the point (ST_HexagonGrid's hexagons are flat-topped, centred at
    (1.5·i·edge, √3·edge·(j + ½·|i| mod 2)), so x picks two columns i and y the one row j
    of each that comes near): a hash join on (i, j), 2 tests a point instead of one per
    hexagon of the tile (80), which made whole-district tiles take seconds."""
    xmin, _ymin, xmax, _ymax = tile_bounds_3857(z, x, y)
    edge = (xmax - xmin) / HEX_PER_TILE
    bbox = tile_envelope_4326(z, x, y, margin=2 / HEX_PER_TILE).extent
    points, params = query.points(bbox=bbox, srid=WEB_MERCATOR)
    sql = f"""
        WITH tile AS (
            SELECT %s::float8 AS edge, ST_TileEnvelope(%s, %s, %s) AS envelope
        ), hexagon AS (
            SELECT h.i, h.j, h.geom FROM tile, ST_HexagonGrid(tile.edge, tile.envelope) h
        ), candidate AS (
            SELECT p.x, p.y, p.weight, c.i, round(p.y / (sqrt(3.0::float8) * tile.edge) - (abs(c.i) %% 2) / 2.0::float8)::int AS j
            FROM tile, ({points}) p
            CROSS JOIN LATERAL (VALUES (floor(p.x / (1.5::float8 * tile.edge))::int),
                                       (floor(p.x / (1.5::float8 * tile.edge))::int + 1)) c(i)
        ), counted AS (
            SELECT h.i, h.j, sum(c.weight) AS value
            FROM candidate c JOIN hexagon h ON h.i = c.i AND h.j = c.j
            WHERE ST_Intersects(h.geom, ST_SetSRID(ST_MakePoint(c.x, c.y), {WEB_MERCATOR}))
            GROUP BY h.i, h.j
        )
        SELECT ST_AsMVT(f, 'heat-hex', {MVT_EXTENT}, 'geom', 'id') FROM (
            SELECT row_number() OVER (ORDER BY i, j) AS id, value::bigint AS value,
                   (value / (ST_Area(ST_Transform(geom, {WGS84})::geography) / 1e6))::float8 AS density,
                   ST_AsMVTGeom(geom, tile.envelope, {MVT_EXTENT}, {MVT_BUFFER}, true) AS geom
            FROM counted JOIN hexagon USING (i, j), tile
        ) f WHERE f.geom IS NOT NULL"""
    (tile,), = _rows(sql, [edge, z, x, y, *params])
    return bytes(tile) if tile else None
