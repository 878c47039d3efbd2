"""Rows that cannot be imported as they are: invalid geometries repaired and reported, or
rejected with the reason; rows outside the district, bad values and duplicate keys
rejected; the reasons written to a CSV file. A file that cannot be imported at all (a
required column missing, unreadable, projected without a CRS) is refused whole."""
from __future__ import annotations

import csv

import pytest
import shapely
from django.core.exceptions import ValidationError
from import_files import buildings_frame, footprint, write

from assets.models import Building
from gis_core.importing.services import layer_import

BOWTIE = shapely.Polygon([(102.702, 25.005), (102.7025, 25.0055), (102.7025, 25.005), (102.702, 25.0055)])
COLLAPSED = shapely.Polygon([(102.703, 25.006), (102.704, 25.006), (102.705, 25.006), (102.703, 25.006)])


def _rows():
    return [
        {"id": "ok", "name": "好楼", "floors": "5", "geometry": footprint(102.705, 25.006)},
        {"id": "bowtie", "name": "自相交", "floors": "3", "geometry": BOWTIE},
        {"id": "line", "name": "退化", "floors": "3", "geometry": COLLAPSED},
        {"id": "empty", "name": "空", "floors": "3", "geometry": None},
        {"id": "far", "name": "区外", "floors": "3", "geometry": footprint(103.2, 25.5)},
        {"id": "floors", "name": "层数错", "floors": "六", "geometry": footprint(102.706, 25.007)},
        {"id": "tall", "name": "太高", "floors": "500", "geometry": footprint(102.707, 25.008)},
        {"id": "noname", "name": "", "floors": "2", "geometry": footprint(102.708, 25.009)},
        {"id": "ok", "name": "重复", "floors": "2", "geometry": footprint(102.709, 25.010)},
        {"id": "point", "name": "点", "floors": "2", "geometry": shapely.Point(102.71, 25.01)},
    ]


def test_rows_repaired_or_rejected_with_reasons(world, tmp_path):
    path = write(buildings_frame(_rows()), tmp_path, "geojson", "bad")
    report = layer_import(actor=world.users["root"], layer="buildings", path=path)

    assert (report.total, report.created, report.repaired, report.rejected) == (10, 2, 1, 8)
    reasons = {i.key.removeprefix("bad:") + ("" if i.status == "rejected" else "+"): i.reason for i in report.issues}
    assert reasons["bowtie+"].startswith("repaired invalid geometry: Self-intersection")
    assert reasons["line"].startswith("invalid geometry that cannot be repaired")
    assert reasons["empty"] == "no geometry"
    assert reasons["far"] == "outside the district: no area contains it"
    assert reasons["floors"] == "floors “六” is not a whole number"
    assert reasons["tall"] == "floors must be 1–200"
    assert reasons["noname"] == "name is empty"
    assert reasons["ok"] == "duplicate key “bad:ok” (first on row 1)"
    assert reasons["point"] == "expected a polygon, got a Point"
    repaired = Building.objects.get(source_key="bad:bowtie")
    assert repaired.footprint.valid and repaired.footprint.geom_type == "MultiPolygon"
    assert repaired.footprint.area == pytest.approx(shapely.make_valid(BOWTIE).area, rel=1e-6)  # both lobes kept

    issues = report.issues_write(tmp_path / "issues.csv")
    with issues.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 9 and rows[0]["row"] == "2" and rows[0]["status"] == "repaired"
    assert {r["reason"] for r in rows if r["key"] == "bad:far"} == {"outside the district: no area contains it"}
    assert {r["name"] for r in rows if r["key"] == "bad:floors"} == {"层数错"}


def test_missing_required_column_refuses_the_file(world, tmp_path):
    before = Building.objects.count()
    frame = buildings_frame([{"id": "a", "地址": "某路1号", "geometry": footprint(102.705, 25.006)}])
    with pytest.raises(ValidationError) as refused:
        layer_import(actor=world.users["root"], layer="buildings", path=write(frame, tmp_path, "gpkg"))
    assert "Required column missing: “name” (accepted headers: name, 名称" in str(refused.value)
    assert Building.objects.count() == before


def test_unreadable_and_unknown(world, tmp_path):
    garbage = tmp_path / "broken.gpkg"
    garbage.write_bytes(b"not a geopackage")
    with pytest.raises(ValidationError, match="Cannot read broken.gpkg"):
        layer_import(actor=world.users["root"], layer="buildings", path=garbage)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValidationError, match="unsupported file type"):
        layer_import(actor=world.users["root"], layer="buildings", path=text)
    with pytest.raises(ValidationError, match="Unknown layer"):
        layer_import(actor=world.users["root"], layer="rivers", path=garbage)


def test_projected_without_crs_refused_whole(world, tmp_path):
    before = Building.objects.count()
    path = write(buildings_frame(_rows()[:1], crs="EPSG:4543"), tmp_path, "csv-wkt", "gk")
    with pytest.raises(ValidationError, match="no coordinate system"):
        layer_import(actor=world.users["root"], layer="buildings", path=path)
    assert Building.objects.count() == before


def test_wrong_crs_given_rejects_rows_out_of_range(world, tmp_path):
    path = write(buildings_frame(_rows()[:1], crs="EPSG:4543"), tmp_path, "gpkg", "gk")
    report = layer_import(actor=world.users["root"], layer="buildings", path=path, crs="EPSG:4326")
    assert report.created == 0
    assert report.issues[0].reason.startswith("coordinates outside longitude/latitude range")
