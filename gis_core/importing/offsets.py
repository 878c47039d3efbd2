"""Chinese web-map offset coordinates → WGS84.

GCJ-02 (国测局 "Mars" coordinates: AMap/高德, Tencent, Google China) is WGS84 shifted by a
published, non-invertible formula on the Krasovsky ellipsoid; BD-09 (Baidu) shifts GCJ-02
once more. Forward formulas are the standard published ones; the inverses are found by
fixed-point iteration on the forward formula (the shift is smooth and small, so each step
gains several digits) until the residual is below 1e-10° (~0.01 mm). Outside China's
bounding box the offset is not applied (as the forward formula's users do).
"""
from __future__ import annotations

import numpy as np

GCJ_A = 6378245.0                      # Krasovsky 1940 semi-major axis
GCJ_EE = 0.00669342162296594323        # its first eccentricity squared
BD_X_PI = np.pi * 3000.0 / 180.0
TOLERANCE_DEG = 1e-10
MAX_STEPS = 30

OFFSETS = ("gcj02", "bd09")


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
            + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    dlon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
            + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
            + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
            + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * np.pi
    magic = 1 - GCJ_EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((GCJ_A * (1 - GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (GCJ_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def gcj02_from_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    outside = _out_of_china(lon, lat)
    return np.where(outside, lon, lon + dlon), np.where(outside, lat, lat + dlat)


def bd09_from_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * BD_X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * BD_X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_from_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return bd09_from_gcj02(*gcj02_from_wgs84(lon, lat))


def _invert(forward, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """The point p with forward(p) = (lon, lat), by p ← p + (target − forward(p))."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = lon.copy(), lat.copy()
    for _step in range(MAX_STEPS):
        fx, fy = forward(x, y)
        dx, dy = lon - fx, lat - fy
        x, y = x + dx, y + dy
        if np.all(np.abs(dx) < TOLERANCE_DEG) and np.all(np.abs(dy) < TOLERANCE_DEG):
            break
    return x, y


def wgs84_from_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return _invert(gcj02_from_wgs84, lon, lat)


def wgs84_from_bd09(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return _invert(bd09_from_wgs84, lon, lat)


def offset_remove(coords: np.ndarray, offset: str) -> np.ndarray:
    """(N, 2) lon/lat in ``offset`` ("gcj02" or "bd09") → (N, 2) WGS84; for shapely.transform."""
    convert = {"gcj02": wgs84_from_gcj02, "bd09": wgs84_from_bd09}[offset]
    if len(coords) == 0:
        return coords
    x, y = convert(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])
