"""Coordinate systems of imported files → WGS84 (EPSG:4326), where everything is stored.

The file's own CRS is used unless one is given (``--crs EPSG:4543``: a shapefile without
its .prj, or with a wrong one). A file without either is taken as longitude/latitude only
when its coordinates could be; projected coordinates without a CRS are refused, since
guessing a Gauss–Krüger zone wrong moves everything by kilometres.

CGCS2000 (EPSG:4490) and WGS84 differ by centimetres (both are ITRF-aligned; PROJ's
transformation between them is the identity); its Gauss–Krüger zones — 3° EPSG:4513–4533
(with the zone number in front of the easting) and 4534–4554 (without), 6° EPSG:4491–4512
— are ordinary transverse Mercator projections pyproj inverts exactly.
"""
from __future__ import annotations

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

WGS84 = CRS.from_epsg(4326)


def crs_parse(value: str) -> CRS:
    """'EPSG:4543', '4543', a WKT or PROJ string → CRS; ValidationError naming ``crs``."""
    text = str(value).strip()
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        return CRS.from_user_input(text)
    except CRSError as error:
        raise ValidationError({"crs": [_("Unknown coordinate system %(crs)s: %(error)s")
                                       % {"crs": value, "error": error}]}) from error


def _lonlat_plausible(bounds: np.ndarray) -> bool:
    xmin, ymin, xmax, ymax = bounds
    return bool(np.all(np.isfinite(bounds))) and -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90


def crs_resolve(file_crs: CRS | None, given: str | CRS | None, bounds: np.ndarray) -> CRS:
    """The CRS to read the coordinates in: ``given`` first, then the file's, then
    longitude/latitude if the coordinates fit it; otherwise a ValidationError."""
    if given:
        return given if isinstance(given, CRS) else crs_parse(given)
    if file_crs is not None:
        return file_crs
    if _lonlat_plausible(bounds):
        return WGS84
    raise ValidationError({"crs": [
        _("The file has no coordinate system and its coordinates (x %(x0).0f–%(x1).0f, y %(y0).0f–%(y1).0f) "
          "are not longitude/latitude. Give it, e.g. EPSG:4543 (CGCS2000 3-degree Gauss–Krüger, central "
          "meridian 102°E) or EPSG:4521 (the same zone with the zone number 34 before the easting).")
        % {"x0": bounds[0], "x1": bounds[2], "y0": bounds[1], "y1": bounds[3]}]})


def crs_label(crs: CRS) -> str:
    authority = crs.to_authority()
    return f"{authority[0]}:{authority[1]}" if authority else crs.name


def to_wgs84(geoms: np.ndarray, crs: CRS) -> np.ndarray:
    """Geometries in ``crs`` → WGS84 longitude/latitude (x = longitude whatever the CRS's
    axis order), 2-D."""
    if shapely.has_z(geoms).any():
        geoms = shapely.force_2d(geoms)
    if crs.equals(WGS84, ignore_axis_order=True):
        return geoms
    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)

    def transform(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, transform)
