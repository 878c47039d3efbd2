"""Binning weighted points on a pixel grid in PostgreSQL, and smoothing the grid.

The points query is wrapped in ``GROUP BY`` pixel, so the rows that come back are
bounded by the size of the output (≤ 496² for a tile), not by the population.
Smoothing is a Gaussian kernel of a fixed *ground* radius (``SIGMA_M``), so a
neighbourhood looks the same at every zoom.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from django.db import connections, transaction
from scipy.ndimage import gaussian_filter

from gis_core.replicas import read_alias
from tiles.heat.metrics import PointsSQL
from tiles.tilemath import EARTH_HALF

SIGMA_M = 120.0   # kernel σ, ground metres
TRUNCATE = 3.0    # kernel radius, in σ: also the margin binned around a tile

# Planner settings for the heat queries only. PostGIS declares ST_Transform costly, so
# where JIT is on PostgreSQL JIT-compiles these ~100 ms queries, for a second or more.
PLANNER_SETTINGS = {"jit": "off"}


def _set_local(cursor, settings: Mapping[str, str]) -> None:
    cursor.execute("SELECT " + ", ".join("set_config(%s, %s, true)" for _name in settings),
                   [value for item in settings.items() for value in item])


def rows(sql: str, params: list) -> list[tuple]:
    """Run one heat query with PLANNER_SETTINGS, then put the previous values back: a
    caller's enclosing transaction would otherwise keep them (SET LOCAL lasts until the
    outermost transaction ends; after an error, rolling back the savepoint restores them).
    On a replica inside gis_core.replicas.replica_reads()."""
    alias = read_alias()
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join("current_setting(%s)" for _name in PLANNER_SETTINGS),
                       list(PLANNER_SETTINGS))
        previous = dict(zip(PLANNER_SETTINGS, cursor.fetchone(), strict=True))
        _set_local(cursor, PLANNER_SETTINGS)
        cursor.execute(sql, params)
        found = cursor.fetchall()
        _set_local(cursor, previous)
        return found


@dataclass(frozen=True)
class Bins:
    """Weights binned on a pixel grid: ``rows[i]``, ``cols[i]`` → ``weights[i]``."""

    rows: np.ndarray
    cols: np.ndarray
    weights: np.ndarray


def bin_sql(points: PointsSQL, *, left: float, top: float, pixel: float) -> PointsSQL:
    """The points' weights summed per pixel of a north-up grid whose pixel (0, 0) has its
    top-left corner at (left, top): rows (row, column, weight), one per non-empty pixel."""
    sql, params = points
    pixel_of = "floor((%s - p.y) / %s)::int, floor((p.x - %s) / %s)::int"
    return f"SELECT {pixel_of}, sum(p.weight)::float8 FROM ({sql}) p GROUP BY 1, 2", [top, pixel, left, pixel, *params]


def bins(binned: PointsSQL) -> Bins:
    data = np.array(rows(*binned), dtype=np.float64).reshape(-1, 3)
    return Bins(data[:, 0].astype(np.int64), data[:, 1].astype(np.int64), data[:, 2])


def grid(found: Bins, height: int, width: int, *, row0: int = 0, col0: int = 0) -> np.ndarray:
    """A height × width array of the bins whose pixel is inside it (grid pixel
    (row0, col0) is the array's [0, 0])."""
    array = np.zeros((height, width), dtype=np.float64)
    r, c = found.rows - row0, found.cols - col0
    inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
    array[r[inside], c[inside]] = found.weights[inside]
    return array


def kernel_radius(sigma_px: float) -> int:
    """Pixels the kernel reaches (3σ, rounded as scipy does)."""
    return int(TRUNCATE * sigma_px + 0.5)


def smooth(array: np.ndarray, sigma_px: float) -> np.ndarray:
    """Gaussian smoothing with zeros outside and a normalised kernel: on a grid padded
    by ``kernel_radius`` the sum is preserved."""
    radius = kernel_radius(sigma_px)
    if radius == 0:
        return array
    return gaussian_filter(array, sigma_px, mode="constant", cval=0.0, radius=radius)


def lat_of_3857_y(y):
    """Latitude (degrees) of EPSG:3857 northings (vectorised tilemath.m3857_to_lonlat)."""
    return np.degrees(2 * np.arctan(np.exp(np.asarray(y) * math.pi / EARTH_HALF)) - math.pi / 2)


def mercator_cell_km2(ys: np.ndarray, pixel: float) -> np.ndarray:
    """Ground area (km²) of EPSG:3857 pixels centred at northings ``ys``: a Mercator
    pixel spans ``pixel · cos φ`` metres on the ground each way."""
    return (pixel * np.cos(np.radians(lat_of_3857_y(ys)))) ** 2 / 1e6
