"""Server-side heatmaps: never ship raw points to the browser.

A street official's map shows where people (or people with a key-group tag) live as a
smoothed density surface. The browser gets pictures and aggregates only: PNG tiles, a
legend, a GeoTIFF for QGIS and hexagon counts as vector tiles. Nothing here returns one
row per person, and nothing leaves the user's areas.

- ``metrics``: what a heatmap counts (the extension point: ``register_metric``; apps
  register theirs, e.g. assets/heat.py) and the request it is drawn for (``HeatQuery``);
- ``binning``: weights summed per pixel in PostgreSQL, Gaussian smoothing;
- ``raster``: PNG tiles on a fixed colour scale, whole-scope rasters, the legend;
- ``geotiff``: the download for QGIS; ``hexagons``: counts per hexagon as MVT.
"""
from tiles.heat.geotiff import download_name, gauss_kruger_epsg, geotiff
from tiles.heat.hexagons import HEX_PER_TILE, hex_mvt
from tiles.heat.metrics import (
    HeatMetric,
    HeatQuery,
    HeatWindow,
    all_metrics,
    metric_for,
    queryset_points,
    register_metric,
    scoped,
)
from tiles.heat.raster import legend, tile_png

__all__ = [
    "HEX_PER_TILE", "HeatMetric", "HeatQuery", "HeatWindow", "all_metrics", "download_name", "gauss_kruger_epsg",
    "geotiff", "hex_mvt", "legend", "metric_for", "queryset_points", "register_metric",
    "scoped", "tile_png",
]
