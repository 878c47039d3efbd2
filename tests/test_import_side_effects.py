"""What an import of buildings does besides the rows (the set-wise write of
gis_core/importing/upsert.py stands in for the row triggers): one history event per
created or changed record, with the importer's context; the map tiles and cell counts
it touches invalidated; areas derived for new and moved footprints only; an unchanged
file writes, locks and invalidates nothing; any text goes through COPY exactly."""
from __future__ import annotations

from django.db import connection
from import_files import buildings_frame, footprint, write
from pghistory.models import Events

from assets.models import Building
from gis_core.importing.services import layer_import
from tests.helpers import tile_versions, tile_xy, tiles_touched
from tiles.models import TileCache

ROWS = [  # cells B, B and F of the world
    {"编号": 1, "名称": "一号楼", "层数": 6, "geometry": footprint(102.716, 25.005)},
    {"编号": 2, "名称": "二号楼", "层数": 9, "geometry": footprint(102.718, 25.012)},
    {"编号": 3, "名称": "三号楼", "层数": 3, "geometry": footprint(102.745, 25.04)},
]


def _import(actor, tmp_path, rows, folder="v1"):
    (tmp_path / folder).mkdir(exist_ok=True)
    return layer_import(actor=actor, layer="buildings", path=write(buildings_frame(rows), tmp_path / folder, "gpkg",
                                                                   "rolls"))


def _bumped(before, layer):
    return {k for k, v in tile_versions(layer).items() if before.get(k, 0) != v}


def _row_versions():
    """xmin and xmax of the imported rows: a write or a row lock changes them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT source_key, xmin::text, xmax::text FROM assets_building "
                       "WHERE source_key LIKE 'rolls:%%' ORDER BY source_key")
        return cursor.fetchall()


def test_every_created_record_has_its_history_event(world, tmp_path):
    admin = world.users["admin"]
    report = _import(admin, tmp_path, ROWS)
    assert (report.created, report.rejected) == (3, 0)
    for key, area in (("rolls:1", "B"), ("rolls:2", "B"), ("rolls:3", "F")):
        building = Building.objects.get(source_key=key)
        assert building.area == world.areas[area]
        events = list(Events.objects.tracks(building))
        assert len(events) == 1 and events[0].pgh_label == "snapshot"
        assert {k: events[0].pgh_data[k] for k in ("name", "floors", "area_id", "source_key")} == {
            "name": building.name, "floors": building.floors, "area_id": building.area_id, "source_key": key}
        assert events[0].pgh_context["user"] == admin.pk and "rolls.gpkg" in events[0].pgh_context["url"]


def test_an_import_invalidates_the_tiles_and_cells_it_touches(world, tmp_path):
    client = world.client("admin")
    x, y = tile_xy(102.7161, 25.0051, 16)
    client.get(f"/tiles/buildings/16/{x}/{y}.pbf")
    assert TileCache.objects.filter(layer="buildings", z=16, x=x, y=y).exists()
    before = {layer: tile_versions(layer) for layer in ("buildings", "cells")}

    _import(world.users["admin"], tmp_path, ROWS)

    footprints = [Building.objects.get(source_key=f"rolls:{i}").footprint.extent for i in (1, 2, 3)]
    assert _bumped(before["buildings"], "buildings") == set().union(*(tiles_touched(e, 13, 16) for e in footprints))
    assert _bumped(before["cells"], "cells") == (tiles_touched(world.areas["B"].boundary.extent, 11, 16)
                                                 | tiles_touched(world.areas["F"].boundary.extent, 11, 16))
    assert not TileCache.objects.filter(layer="buildings", z=16, x=x, y=y).exists()
    assert b"\xe4\xb8\x80\xe5\x8f\xb7\xe6\xa5\xbc" in client.get(f"/tiles/buildings/16/{x}/{y}.pbf").content  # 一号楼


def test_an_unchanged_file_writes_locks_and_invalidates_nothing(world, tmp_path):
    admin = world.users["admin"]
    _import(admin, tmp_path, ROWS)
    rows, events = _row_versions(), Events.objects.filter(pgh_obj_model="assets.Building").count()
    before = {layer: tile_versions(layer) for layer in ("buildings", "cells")}

    report = _import(admin, tmp_path, ROWS, "v2")

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert _row_versions() == rows
    assert Events.objects.filter(pgh_obj_model="assets.Building").count() == events
    assert {layer: tile_versions(layer) for layer in ("buildings", "cells")} == before


def test_a_moved_footprint_gets_its_new_area_a_renamed_one_keeps_its_own(world, tmp_path):
    admin = world.users["admin"]
    _import(admin, tmp_path, ROWS)
    one = Building.objects.get(source_key="rolls:1")
    Building.objects.filter(pk=one.pk).update(area=world.areas["C1"])  # what only a re-derivation would undo
    changed = [{**ROWS[0], "名称": "一号楼(新)"}, {**ROWS[1], "geometry": footprint(102.705, 25.012)}, ROWS[2]]

    report = _import(admin, tmp_path, changed, "v2")

    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    assert Building.objects.get(source_key="rolls:1").area == world.areas["C1"]  # geometry unchanged
    assert Building.objects.get(source_key="rolls:2").area == world.areas["A"]  # moved from B to A
    moved = Events.objects.tracks(Building.objects.get(source_key="rolls:2")).order_by("-pgh_id").first()
    assert moved.pgh_data["area_id"] == world.areas["A"].pk


def test_text_with_tabs_newlines_and_backslashes_is_imported_exactly(world, tmp_path):
    name, address = "东\\楼\t甲 \"乙\" '丙'", "盘龙路\n1号 \\N"
    _import(world.users["admin"], tmp_path, [{**ROWS[0], "名称": name, "地址": address}])
    building = Building.objects.get(source_key="rolls:1")
    assert (building.name, building.address) == (name, address)
