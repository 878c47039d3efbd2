"""Coordinates in the file's CRS or one given: WGS84, CGCS2000 (EPSG:4490), its
Gauss–Krüger zones (EPSG:4543, CM 102°E; EPSG:4521, the same zone with its number before
the easting), and GCJ-02 / BD-09 web-map offsets on request — all land within a metre of
the truth. Projected coordinates without a CRS are refused."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from django.core.exceptions import ValidationError
from import_files import buildings_frame, footprint, metres_apart, write

from assets.models import Building, Organization
from gis_core.importing.offsets import bd09_from_gcj02, bd09_from_wgs84, gcj02_from_wgs84
from gis_core.importing.services import layer_import

TRUTH = [footprint(102.7031, 25.0112), footprint(102.7447, 25.0481, 0.0005)]


def _rows():
    return [{"id": f"t{i}", "name": f"楼{i}", "geometry": g} for i, g in enumerate(TRUTH)]


def _assert_truth(source: str):
    for i, truth in enumerate(TRUTH):
        assert metres_apart(Building.objects.get(source_key=f"{source}:t{i}").footprint, truth) < 1.0


@pytest.mark.parametrize("crs, fmt", [("EPSG:4326", "gpkg"), ("EPSG:4490", "gpkg"), ("EPSG:4490", "shp"),
                                      ("EPSG:4543", "shp"), ("EPSG:4543", "geojson"), ("EPSG:4521", "gpkg")])
def test_file_crs(world, tmp_path, crs, fmt):
    path = write(buildings_frame(_rows(), crs=crs), tmp_path, fmt, name="crs")
    report = layer_import(actor=world.users["root"], layer="buildings", path=path)
    assert (report.created, report.rejected, report.crs) == (2, 0, crs), report.issues
    _assert_truth("crs")


def test_crs_given_for_a_csv_of_projected_wkt(world, tmp_path):
    path = write(buildings_frame(_rows(), crs="EPSG:4543"), tmp_path, "csv-wkt", name="gk")
    with pytest.raises(ValidationError) as refused:
        layer_import(actor=world.users["root"], layer="buildings", path=path)
    assert "crs" in refused.value.message_dict and "EPSG:4543" in str(refused.value)
    assert not Building.objects.filter(source_key__startswith="gk:").exists()

    report = layer_import(actor=world.users["root"], layer="buildings", path=path, crs="EPSG:4543")
    assert report.created == 2
    _assert_truth("gk")


def test_published_offset_formulas():
    # Reference values of the widely used implementation (wandergis/coordtransform).
    assert np.allclose(gcj02_from_wgs84(116.404, 39.915), (116.41024449916938, 39.91640428150164), atol=1e-12)
    assert np.allclose(bd09_from_gcj02(116.404, 39.915), (116.41036949371029, 39.92133699351021), atol=1e-12)
    assert np.allclose(gcj02_from_wgs84(2.35, 48.85), (2.35, 48.85))  # outside China: unchanged


@pytest.mark.parametrize("offset, forward", [("gcj02", gcj02_from_wgs84), ("bd09", bd09_from_wgs84)])
def test_web_map_offsets(world, tmp_path, offset, forward):
    truth = [shapely.Point(102.7061, 25.0113), shapely.Point(102.7412, 25.0507)]
    shifted = [shapely.Point(*map(float, forward(p.x, p.y))) for p in truth]
    assert shapely.distance(truth[0], shifted[0]) * 111_000 > 100  # the offset is hundreds of metres
    table = pd.DataFrame({"编号": ["o1", "o2"], "名称": ["甲单位", "乙单位"], "类型": ["企业", "企业"],
                          "lng": [p.x for p in shifted], "lat": [p.y for p in shifted]})
    path = tmp_path / "web.csv"
    table.to_csv(path, index=False)

    report = layer_import(actor=world.users["root"], layer="organizations", path=path, offset=offset)
    assert report.created == 2, report.issues
    for key, point in zip(("o1", "o2"), truth, strict=True):
        assert metres_apart(Organization.objects.get(source_key=f"web:{key}").location, point) < 0.1


def test_offset_polygons(world, tmp_path):
    shifted = [shapely.transform(g, lambda c: np.column_stack(gcj02_from_wgs84(c[:, 0], c[:, 1]))) for g in TRUTH]
    frame = buildings_frame([{"id": f"t{i}", "name": "楼", "geometry": g} for i, g in enumerate(shifted)])
    report = layer_import(actor=world.users["root"], layer="buildings", path=write(frame, tmp_path, "geojson", "gcj"),
                          offset="gcj02")
    assert report.created == 2
    _assert_truth("gcj")
