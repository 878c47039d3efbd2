"""The GeoTIFF download: smoothed counts per pixel in the local CGCS2000 3-degree
Gauss–Krüger projection, where pixels are square metres on the ground. The raster is
padded by the kernel radius so that smoothing loses nothing: the band sums to the exact
count it represents."""
from __future__ import annotations

import math

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rasterio.crs import CRS
from rasterio.io import MemoryFile
from rasterio.transform import from_origin

from tiles.heat.binning import SIGMA_M, rows
from tiles.heat.metrics import WGS84, HeatQuery
from tiles.heat.raster import RasterTooLarge, area_extent, number, raster

GEOTIFF_MAX_CELLS = 10_000_000  # 40 MB of float32


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
        (lon,), = rows(f"SELECT avg(p.x) FROM ({sql}) p", params)
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
    srid = _geotiff_crs(query)
    try:
        result = raster(query, srid=srid, pixel=pixel, sigma_px=SIGMA_M / pixel,
                        extent=area_extent(query, srid), max_cells=GEOTIFF_MAX_CELLS)
    except RasterTooLarge as error:
        raise ValidationError({"pixel": [_("The raster would be %(w)d × %(h)d pixels; choose larger pixels.")
                                         % {"w": error.width, "h": error.height}]}) from None
    if result is None:
        raise ValidationError({"area": [_("There is nothing to map in your areas.")]})
    band = result.counts.astype(np.float32)
    height, width = band.shape
    with MemoryFile() as memory:
        with memory.open(driver="GTiff", width=width, height=height, count=1, dtype="float32",
                         crs=CRS.from_epsg(srid), transform=from_origin(result.left, result.top, pixel, pixel),
                         compress="lzw", predictor=3, tiled=True) as tif:
            tif.write(band, 1)
            tif.set_band_description(1, query.metric.count_unit)
            tif.update_tags(metric=query.metric.code, unit=query.metric.count_unit,
                            total=number(result.total), window=query.window.label(),
                            kernel=f"gaussian sigma {SIGMA_M:g} m", **query.params)
        return memory.read()
