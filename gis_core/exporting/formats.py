"""The export formats and their writers. A writer receives the rows chunk by chunk —
``(geometry, *values)`` with values already plain (int, float, bool, str or None) — and
leaves one file in its directory.

GeoPackage and Shapefile are written by GDAL (pyogrio) from WKB, one append per chunk;
GeoJSON, CSV and XLSX are written as the rows come, the geometry already GeoJSON or WKT
from PostGIS (XLSX: xlsx.py). Coordinates are EPSG:4326 throughout.
"""
from __future__ import annotations

import csv
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyogrio.raw import write as ogr_write

from gis_core.exporting.xlsx import CELL_MAX, SheetWriter

CRS = "EPSG:4326"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "int", "float", "bool" or "str"


class Writer:
    geometry_as = "wkb"  # what the query returns the geometry as: "wkb", "geojson" or "wkt"

    def __init__(self, *, directory: Path, name: str, columns: list[Column], geometry_type: str):
        # geometry_type: an OGR name ("Point", "MultiPolygon", …), "Unknown" when mixed
        self.directory, self.name, self.columns, self.geometry_type = directory, name, columns, geometry_type

    def write(self, rows: list[tuple]) -> None:
        raise NotImplementedError

    def close(self) -> Path:
        raise NotImplementedError


# --------------------------------------------------------------------------- GDAL

def _layer_name(name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


class _OgrLayer:
    """One GDAL layer written by appends. Nulls go as masks, so integer and boolean
    columns keep their types."""

    def __init__(self, path: Path, *, driver: str, layer: str | None, columns: list[Column], names: list[str],
                 geometry_type: str, encoding: str | None = None):
        self.path, self.driver, self.layer, self.columns, self.names = path, driver, layer, columns, names
        self.geometry_type, self.encoding = geometry_type, encoding
        self.started = False

    def write(self, rows: list[tuple]) -> None:
        if not rows and self.started:
            return
        columns = list(zip(*rows)) if rows else [()] * (len(self.columns) + 1)
        geometries = np.array([g if g is None or type(g) is bytes else bytes(g) for g in columns[0]], dtype=object)
        data, masks = [], []
        for column, values in zip(self.columns, columns[1:]):
            if column.kind == "str":
                data.append(np.array(values, dtype=object))
                masks.append(None)
                continue
            dtype, fill = _NUMPY[column.kind]
            if None in values:
                masks.append(np.array([v is None for v in values], dtype=bool))
                values = [fill if v is None else v for v in values]
            else:
                masks.append(None)
            data.append(np.array(values, dtype=dtype))
        ogr_write(str(self.path), geometries, data, self.names, field_mask=masks, layer=self.layer, driver=self.driver,
                  geometry_type=self.geometry_type, crs=CRS, encoding=self.encoding, append=self.started)
        self.started = True


_NUMPY = {"int": (np.int64, 0), "float": (np.float64, 0.0), "bool": (np.bool_, False)}


class GeoPackageWriter(Writer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.path = self.directory / f"{self.name}.gpkg"
        self.layer = _OgrLayer(self.path, driver="GPKG", layer=_layer_name(self.name), columns=self.columns,
                               names=[c.name for c in self.columns], geometry_type=self.geometry_type)

    def write(self, rows):
        self.layer.write(rows)

    def close(self):
        self.layer.write([])  # an empty export still has its table
        return self.path


def short_names(names: list[str], limit: int = 10) -> list[str]:
    """dBase field names: at most ``limit`` characters, unique regardless of case."""
    taken: set[str] = set()
    out = []
    for name in names:
        short, n = name[:limit], 1
        while short.lower() in taken:
            suffix = f"_{n}"
            short, n = name[:limit - len(suffix)] + suffix, n + 1
        taken.add(short.lower())
        out.append(short)
    return out


# WKB geometry type (ISO, 2D) -> shapefile family: one geometry type per shapefile.
_FAMILIES = {1: "points", 4: "points", 2: "lines", 5: "lines", 3: "polygons", 6: "polygons"}
_FAMILY_TYPES = {"points": "Point", "lines": "MultiLineString", "polygons": "MultiPolygon"}


def _wkb_family(wkb) -> str | None:
    head = bytes(wkb[:5])
    return _FAMILIES.get(int.from_bytes(head[1:5], "little" if head[0] == 1 else "big") % 1000)


class ShapefileWriter(Writer):
    """A zip of .shp/.shx/.dbf/.prj/.cpg (UTF-8, so Chinese text survives). Field names
    are cut to dBase's ten characters (``fields.csv`` in the zip maps them back). A layer
    of mixed geometries (key sites: points and polygons) becomes one shapefile per kind,
    ``<name>_points.shp``, ``<name>_polygons.shp``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.folder = self.directory / "shp"
        self.folder.mkdir()
        self.names = short_names([c.name for c in self.columns])
        self.mixed = self.geometry_type == "Unknown"
        self.layers: dict[str, _OgrLayer] = {}

    def _layer(self, family: str) -> _OgrLayer:
        if family not in self.layers:
            stem = f"{self.name}_{family}" if self.mixed else self.name
            geometry_type = _FAMILY_TYPES[family] if self.mixed else self.geometry_type
            self.layers[family] = _OgrLayer(self.folder / f"{stem}.shp", driver="ESRI Shapefile", layer=None,
                                            columns=self.columns, names=self.names, geometry_type=geometry_type,
                                            encoding="UTF-8")
        return self.layers[family]

    def write(self, rows):
        if not self.mixed:
            self._layer("all").write(rows)
            return
        by_family: dict[str, list] = {}
        for row in rows:
            family = _wkb_family(row[0]) if row[0] is not None else None
            by_family.setdefault(family or next(iter(self.layers), "polygons"), []).append(row)
        for family, part in by_family.items():
            self._layer(family).write(part)

    def close(self):
        if not self.layers:
            self._layer("points" if self.mixed else "all").write([])
        full = [c.name for c in self.columns]
        if self.names != full:
            with open(self.folder / "fields.csv", "w", encoding="utf-8-sig", newline="") as f:
                csv.writer(f).writerows([("field", "name"), *zip(self.names, full)])
        path = self.directory / f"{self.name}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(self.folder.iterdir()):
                archive.write(file, file.name)
        return path


# --------------------------------------------------------------------------- text

class GeoJSONWriter(Writer):
    """A FeatureCollection (RFC 7946: WGS 84, no ``crs``), UTF-8, Chinese unescaped."""

    geometry_as = "geojson"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.path = self.directory / f"{self.name}.geojson"
        self.file = open(self.path, "w", encoding="utf-8")
        self.file.write('{"type":"FeatureCollection","features":[\n')
        self.names = [c.name for c in self.columns]
        self.id_at = self.names.index("id") if "id" in self.names else None
        self.first = True

    def write(self, rows):
        features = []
        for geometry, *values in rows:
            feature_id = f'"id":{json.dumps(values[self.id_at])},' if self.id_at is not None else ""
            properties = json.dumps(dict(zip(self.names, values)), ensure_ascii=False)
            features.append(f'{{"type":"Feature",{feature_id}"geometry":{geometry or "null"},'
                            f'"properties":{properties}}}')
        if features:
            self.file.write(("" if self.first else ",\n") + ",\n".join(features))
            self.first = False

    def close(self):
        self.file.write("\n]}\n")
        self.file.close()
        return self.path


# Text a spreadsheet would take for a formula (CSV injection): kept as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class CsvWriter(Writer):
    """UTF-8 with a byte-order mark (Excel then reads Chinese correctly), the geometry as
    WKT in a last column named ``WKT`` (which GDAL and QGIS take as the geometry). Text
    starting like a formula gets a leading ``'``."""

    geometry_as = "wkt"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.path = self.directory / f"{self.name}.csv"
        self.file = open(self.path, "w", encoding="utf-8-sig", newline="")
        self.csv = csv.writer(self.file)
        self.csv.writerow([*(c.name for c in self.columns), "WKT"])
        self.text_at = [i for i, c in enumerate(self.columns) if c.kind == "str"]

    def write(self, rows):
        out = []
        for geometry, *values in rows:  # (csv writes None as an empty field)
            for i in self.text_at:
                if values[i] and values[i].startswith(_FORMULA_START):
                    values[i] = "'" + values[i]
            values.append(geometry)
            out.append(values)
        self.csv.writerows(out)

    def close(self):
        self.file.close()
        return self.path


class XlsxWriter(Writer):
    """One sheet with a bold, frozen header row and the geometry as WKT in a last ``WKT``
    column. Text is always text (never a formula). A cell holds at most 32,767
    characters: a longer WKT (a large boundary) is left empty — take GeoPackage for those."""

    geometry_as = "wkt"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.path = self.directory / f"{self.name}.xlsx"
        self.sheet = SheetWriter(self.path, sheet_name=self.name, header=[*(c.name for c in self.columns), "WKT"])

    def write(self, rows):
        self.sheet.append([*values, geometry if geometry and len(geometry) <= CELL_MAX else None]
                          for geometry, *values in rows)

    def close(self):
        self.sheet.close()
        return self.path


@dataclass(frozen=True)
class Format:
    code: str
    extension: str
    content_type: str
    writer: type[Writer]


FORMATS = {f.code: f for f in (
    Format("geojson", "geojson", "application/geo+json", GeoJSONWriter),
    Format("gpkg", "gpkg", "application/geopackage+sqlite3", GeoPackageWriter),
    Format("shp", "zip", "application/zip", ShapefileWriter),
    Format("csv", "csv", "text/csv; charset=utf-8", CsvWriter),
    Format("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", XlsxWriter),
)}
