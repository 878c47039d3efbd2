"""Reading any supported file into a table with one geometry column (or, for people,
a table of text).

GeoJSON, GeoPackage, a Shapefile (alone or zipped with its .dbf/.shx/.prj) are read by
pyogrio; CSV and XLSX spreadsheets carry the geometry as longitude/latitude columns or a
WKT column. Every attribute is read as text: the layers parse and validate values
themselves, so "5", 5 and 5.0 mean the same and a bad value is a reported row, not a
crash. A spreadsheet's row numbers are those the user sees (the header is row 1).
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pyproj import CRS

GIS_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")
TABLE_SUFFIXES = (".csv", ".xlsx")
SUFFIXES = GIS_SUFFIXES + TABLE_SUFFIXES

LON_ALIASES = ("lon", "lng", "long", "longitude", "x", "经度")
LAT_ALIASES = ("lat", "latitude", "y", "纬度")
WKT_ALIASES = ("wkt", "geometry", "geom", "the_geom", "shape", "几何", "坐标串")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Excel in China saves CSV as GBK


@dataclass
class Features:
    """What a file holds: attributes as text, geometries (shapely, None where missing),
    the file's CRS (None when it has none), and the row number the user sees per row."""

    attributes: pd.DataFrame
    geometries: np.ndarray
    crs: CRS | None
    rows: np.ndarray


def _fail(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def normalise_header(name: object) -> str:
    return str(name).strip().lower().replace(" ", "_")


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_text(series: pd.Series) -> list[str]:
    if pd.api.types.is_integer_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series.astype(str).tolist()
    if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
        if all(isinstance(v, str) for v in series.tolist()):
            return series.str.strip().tolist()
    return [_text(v) for v in series.tolist()]


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as stripped text, '' for missing; integral floats without '.0'
    (spreadsheets and shapefiles store 6 as 6.0)."""
    return pd.DataFrame({normalise_header(c): _column_text(frame[c]) for c in frame.columns},
                        index=frame.index, dtype=object)


def _zip_member(path: Path) -> str:
    """The /vsizip/ path of the (first) shapefile or GeoPackage/GeoJSON inside a zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.startswith("__MACOSX/")]
    except zipfile.BadZipFile as error:
        raise _fail(_("%(name)s is not a readable zip file.") % {"name": path.name}) from error
    for suffix in (".shp", ".gpkg", ".geojson", ".json"):
        found = sorted(n for n in names if n.lower().endswith(suffix))
        if found:
            return f"/vsizip/{path}/{found[0]}"
    raise _fail(_("The zip file holds no shapefile (.shp with its .dbf and .shx), GeoPackage or GeoJSON."))


def _read_gis(path: Path) -> Features:
    source = _zip_member(path) if path.suffix.lower() == ".zip" else str(path)
    try:
        # Shapefiles without a .cpg from Chinese desktop GIS are usually GBK; pyogrio
        # detects the .cpg when there is one.
        frame = pyogrio.read_dataframe(source)
    except pyogrio.errors.DataSourceError as error:
        raise _fail(_("Cannot read %(name)s: %(error)s") % {"name": path.name, "error": error}) from error
    except pyogrio.errors.DataLayerError as error:
        raise _fail(_("Cannot read %(name)s: %(error)s") % {"name": path.name, "error": error}) from error
    geometries = np.asarray(frame.geometry.array, dtype=object) if isinstance(frame, gpd.GeoDataFrame) \
        else np.full(len(frame), None, dtype=object)
    crs = frame.crs if isinstance(frame, gpd.GeoDataFrame) else None
    attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name)) if isinstance(frame, gpd.GeoDataFrame) \
        else pd.DataFrame(frame)
    return Features(_as_text(attributes), geometries, crs, np.arange(1, len(frame) + 1))


def read_table(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    """A CSV or XLSX sheet as text with normalised headers, and the row numbers the user
    sees (the header is row 1)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        try:
            frame = pd.read_excel(path, dtype=str, engine="openpyxl")
        except ImportError as error:
            raise _fail(_("Reading XLSX needs the openpyxl package.")) from error
        except (ValueError, zipfile.BadZipFile) as error:
            raise _fail(_("Cannot read %(name)s: %(error)s") % {"name": path.name, "error": error}) from error
    elif suffix == ".csv":
        for encoding in CSV_ENCODINGS:
            try:
                frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
                break
            except UnicodeDecodeError:
                continue
            except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
                raise _fail(_("Cannot read %(name)s: %(error)s") % {"name": path.name, "error": error}) from error
        else:
            raise _fail(_("%(name)s is neither UTF-8 nor GB18030 text.") % {"name": path.name})
    else:
        raise _fail(_("%(name)s: expected a .csv or .xlsx file.") % {"name": path.name})
    frame = frame.reset_index(drop=True)
    return _as_text(frame), np.arange(2, len(frame) + 2)


def _column(attributes: pd.DataFrame, aliases: tuple[str, ...]) -> str | None:
    return next((a for a in aliases if a in attributes.columns), None)


def _table_geometries(attributes: pd.DataFrame, name: str) -> np.ndarray:
    """Points from longitude/latitude columns, or any geometry from a WKT column."""
    wkt = _column(attributes, WKT_ALIASES)
    if wkt is not None:
        text = attributes[wkt].where(attributes[wkt] != "", None).to_numpy(dtype=object)
        geometries = np.full(len(text), None, dtype=object)
        for i, value in enumerate(text):  # one bad WKT must not sink the file
            if value is not None:
                try:
                    geometries[i] = shapely.from_wkt(value)
                except shapely.errors.GEOSException:
                    geometries[i] = shapely.Point()  # reported as a row without usable geometry
        return geometries
    lon, lat = _column(attributes, LON_ALIASES), _column(attributes, LAT_ALIASES)
    if lon is None or lat is None:
        raise _fail(_("%(name)s has no geometry: expected longitude and latitude columns (lon/lat, 经度/纬度) "
                      "or a WKT column (wkt, geometry).") % {"name": name})
    x = pd.to_numeric(attributes[lon], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(attributes[lat], errors="coerce").to_numpy(dtype=float)
    points = shapely.points(x, y)
    points[~(np.isfinite(x) & np.isfinite(y))] = None
    return points


def read_features(path: Path) -> Features:
    """Any supported file → Features."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in GIS_SUFFIXES:
        return _read_gis(path)
    if suffix in TABLE_SUFFIXES:
        attributes, rows = read_table(path)
        return Features(attributes, _table_geometries(attributes, path.name), None, rows)
    raise _fail(_("%(name)s: unsupported file type; expected one of %(types)s.")
                % {"name": path.name, "types": ", ".join(SUFFIXES)})
