"""Files for the import tests, built with geopandas in each test's tmp_path, and how far
an imported geometry lies from the truth (metres)."""
from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import box as shapely_box

METRES_PER_DEGREE = 111_320.0  # of latitude; a longitude degree is shorter here: an upper bound


def footprint(x: float, y: float, size: float = 0.0003) -> shapely.Polygon:
    return shapely_box(x, y, x + size, y + size)


def buildings_frame(rows: list[dict], crs: str = "EPSG:4326") -> gpd.GeoDataFrame:
    """rows: dicts with 'geometry' (WGS84) and attributes; reprojected to ``crs``."""
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return frame.to_crs(crs) if crs != "EPSG:4326" else frame


def write(frame: gpd.GeoDataFrame, tmp_path: Path, fmt: str, name: str = "layer") -> Path:
    """GeoJSON, a zipped Shapefile, GeoPackage, CSV with lon/lat (points), CSV with WKT or
    XLSX with lon/lat."""
    if fmt == "geojson":
        path = tmp_path / f"{name}.geojson"
        frame.to_file(path, driver="GeoJSON")
    elif fmt == "gpkg":
        path = tmp_path / f"{name}.gpkg"
        frame.to_file(path, driver="GPKG", layer=name)
    elif fmt == "shp":
        folder = tmp_path / f"{name}_shp"
        folder.mkdir()
        frame.to_file(folder / f"{name}.shp", driver="ESRI Shapefile", encoding="UTF-8")
        path = tmp_path / f"{name}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for part in folder.iterdir():
                archive.write(part, part.name)
    elif fmt in ("csv-lonlat", "xlsx"):
        table = pd.DataFrame(frame.drop(columns="geometry"))
        table["经度"], table["纬度"] = frame.geometry.x, frame.geometry.y
        path = tmp_path / f"{name}.{'csv' if fmt == 'csv-lonlat' else 'xlsx'}"
        table.to_csv(path, index=False) if fmt == "csv-lonlat" else table.to_excel(path, index=False)
    elif fmt == "csv-wkt":
        table = pd.DataFrame(frame.drop(columns="geometry"))
        table["wkt"] = frame.geometry.to_wkt()
        path = tmp_path / f"{name}.csv"
        table.to_csv(path, index=False)
    else:
        raise ValueError(fmt)
    return path


def metres_apart(stored, truth: shapely.Geometry) -> float:
    """Hausdorff distance between a stored GEOS geometry and the truth, in metres (an
    upper bound: degrees times the length of a degree of latitude)."""
    return shapely.hausdorff_distance(shapely.from_wkb(bytes(stored.wkb)), truth) * METRES_PER_DEGREE
