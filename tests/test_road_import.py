"""Road centre lines are imported like any other layer: GeoJSON (or any GIS file) with
Chinese names and road classes by their Chinese labels, upserted on the source key
(re-importing changes nothing), lines kept as MultiLineStrings; rows that are not lines,
degenerate lines and unknown classes are rejected with the reason; the layer exports."""
from __future__ import annotations

import json

import shapely
from import_files import buildings_frame, write

from assets.models import Road
from gis_core.importing.services import layer_import


def _frame(rows=None):
    return buildings_frame(rows or [
        {"编号": "r1", "路名": "长安街", "道路等级": "主干道",
         "geometry": shapely.LineString([(102.701, 25.01), (102.72, 25.011), (102.745, 25.012)])},
        {"编号": "r2", "路名": "建设路", "道路等级": "次干道",
         "geometry": shapely.MultiLineString([[(102.71, 25.001), (102.71, 25.02)], [(102.71, 25.02), (102.712, 25.05)]])},
        {"编号": "r3", "路名": "书林街", "道路等级": "步行道",
         "geometry": shapely.LineString([(102.705, 25.02), (102.706, 25.021)])},
    ])


def _counts(report):
    return report.created, report.updated, report.unchanged, report.rejected


def test_geojson_with_chinese_names_and_classes(world, tmp_path):
    report = layer_import(actor=world.users["admin"], layer="roads", path=write(_frame(), tmp_path, "geojson", "路网"))
    assert _counts(report) == (3, 0, 0, 0)
    roads = {r.source_key: r for r in Road.objects.select_related("area")}
    assert {k: (r.name, r.kind) for k, r in roads.items()} == {
        "路网:r1": ("长安街", "trunk"), "路网:r2": ("建设路", "secondary"), "路网:r3": ("书林街", "footway")}
    assert roads["路网:r1"].centreline.geom_type == "MultiLineString"
    assert len(roads["路网:r2"].centreline) == 2
    assert roads["路网:r3"].area == world.areas["A"]  # derived like every other geometry


def test_reimport_is_idempotent_and_updates_changed_rows(world, tmp_path):
    admin = world.users["admin"]
    path = write(_frame(), tmp_path, "gpkg", "roads")
    layer_import(actor=admin, layer="roads", path=path)
    ids = set(Road.objects.values_list("id", flat=True))
    assert _counts(layer_import(actor=admin, layer="roads", path=path)) == (0, 0, 3, 0)
    assert set(Road.objects.values_list("id", flat=True)) == ids

    frame = _frame()
    frame.loc[0, "路名"] = "长安大街"
    (tmp_path / "v2").mkdir()
    assert _counts(layer_import(actor=admin, layer="roads", path=write(frame, tmp_path / "v2", "gpkg", "roads"))) \
        == (0, 1, 2, 0)
    assert Road.objects.get(source_key="roads:r1").name == "长安大街"


def test_bad_rows_rejected_with_the_reason(world, tmp_path):
    frame = _frame([
        {"编号": "ok", "路名": "白塔路", "道路等级": "支路", "geometry": shapely.LineString([(102.72, 25.02), (102.721, 25.03)])},
        {"编号": "polygon", "路名": "面", "道路等级": "支路",
         "geometry": shapely.box(102.72, 25.02, 102.721, 25.021)},
        {"编号": "point", "路名": "点", "道路等级": "支路", "geometry": shapely.Point(102.72, 25.02)},
        {"编号": "collapsed", "路名": "退化", "道路等级": "支路",
         "geometry": shapely.LineString([(102.72, 25.02), (102.72, 25.02)])},
        {"编号": "class", "路名": "等级错", "道路等级": "高速公路",
         "geometry": shapely.LineString([(102.72, 25.04), (102.721, 25.05)])},
        {"编号": "far", "路名": "区外", "道路等级": "支路", "geometry": shapely.LineString([(103.2, 25.5), (103.3, 25.5)])},
    ])
    report = layer_import(actor=world.users["admin"], layer="roads", path=write(frame, tmp_path, "geojson", "bad"))
    assert (report.created, report.rejected) == (1, 5)
    reasons = {i.key.removeprefix("bad:"): i.reason for i in report.issues}
    assert reasons["polygon"] == "expected a line, got a Polygon"
    assert reasons["point"] == "expected a line, got a Point"
    assert reasons["collapsed"].startswith("invalid geometry that cannot be repaired")
    assert reasons["class"].startswith("road class “高速公路” is not one of trunk, secondary, branch, footway")
    assert reasons["far"] == "outside the district: no area contains it"


def test_upload_api_and_export(world, tmp_path):
    path = write(_frame(), tmp_path, "geojson", "upload")
    with path.open("rb") as handle:
        answer = world.client("admin").post("/api/v1/imports/", {"layer": "roads", "file": handle},
                                              format="multipart")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["layer"], answer.json()["created"]) == ("roads", 3)
    with path.open("rb") as handle:  # the district keeps the roads: a grid leader may not import them
        assert world.client("leader_a").post("/api/v1/imports/", {"layer": "roads", "file": handle},
                                             format="multipart").status_code == 403
    exported = world.client("leader_a").get("/api/v1/export/roads.geojson")
    assert exported.status_code == 200
    features = json.loads(b"".join(exported.streaming_content) if exported.streaming else exported.content)
    assert sorted(f["properties"]["name"] for f in features["features"]) == ["书林街", "建设路", "长安街"]
    assert {f["geometry"]["type"] for f in features["features"]} == {"MultiLineString"}
