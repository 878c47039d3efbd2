"""Re-importing the same file creates nothing and writes nothing; changed rows are
updated (with history naming the importer); a dry run reports without writing; a file
without a key column is keyed by geometry; areas are keyed by their code."""
from __future__ import annotations

import pytest
import shapely
from import_files import buildings_frame, footprint, metres_apart, write
from pghistory.models import Events

from assets.models import Building
from gis_core.importing.services import layer_import
from gis_core.models import Area


def _frame(rows=None):
    return buildings_frame(rows or [
        {"编号": 1, "名称": "一号楼", "层数": 6, "geometry": footprint(102.702, 25.005)},
        {"编号": 2, "名称": "二号楼", "层数": 9, "geometry": footprint(102.718, 25.012)},
        {"编号": 3, "名称": "三号楼", "层数": 3, "geometry": footprint(102.745, 25.04)},
    ])


def _counts(report):
    return report.created, report.updated, report.unchanged, report.rejected


def test_reimport_changes_nothing(world, tmp_path):
    root = world.users["root"]
    path = write(_frame(), tmp_path, "gpkg", "rolls")
    assert _counts(layer_import(actor=root, layer="buildings", path=path)) == (3, 0, 0, 0)
    ids = dict(Building.objects.filter(source_key__startswith="rolls:").values_list("source_key", "id"))
    events = Events.objects.filter(pgh_obj_model="assets.Building").count()

    report = layer_import(actor=root, layer="buildings", path=path)
    assert _counts(report) == (0, 0, 3, 0)
    assert dict(Building.objects.filter(source_key__startswith="rolls:").values_list("source_key", "id")) == ids
    assert Events.objects.filter(pgh_obj_model="assets.Building").count() == events


def test_changed_rows_updated_with_history(world, tmp_path):
    admin = world.users["admin"]
    layer_import(actor=admin, layer="buildings", path=write(_frame(), tmp_path, "gpkg", "rolls"))
    moved = footprint(102.7025, 25.0052)
    changed = _frame([
        {"编号": 1, "名称": "一号楼", "层数": 6, "geometry": moved},
        {"编号": 2, "名称": "二号楼(新)", "层数": 11, "geometry": footprint(102.718, 25.012)},
        {"编号": 3, "名称": "三号楼", "层数": 3, "geometry": footprint(102.745, 25.04)},
    ])
    (tmp_path / "v2").mkdir()
    report = layer_import(actor=admin, layer="buildings", path=write(changed, tmp_path / "v2", "gpkg", "rolls"))

    assert _counts(report) == (0, 2, 1, 0)
    b1, b2 = Building.objects.get(source_key="rolls:1"), Building.objects.get(source_key="rolls:2")
    assert metres_apart(b1.footprint, moved) < 1.0
    assert (b2.name, b2.floors) == ("二号楼(新)", 11)
    latest = Events.objects.tracks(b2).order_by("-pgh_id").first()
    changes = {k: v for k, v in latest.pgh_diff.items() if k != "updated_at"}  # now(): one test transaction
    assert changes == {"name": ["二号楼", "二号楼(新)"], "floors": [9, 11]}
    assert latest.pgh_context["user"] == admin.pk and "rolls.gpkg" in latest.pgh_context["url"]
    created = Events.objects.tracks(b2).order_by("pgh_id").first()
    assert created.pgh_data["name"] == "二号楼" and created.pgh_data["area_id"] == world.areas["B"].pk


def test_dry_run_writes_nothing(world, tmp_path):
    report = layer_import(actor=world.users["root"], layer="buildings", path=write(_frame(), tmp_path, "gpkg"),
                          dry_run=True)
    assert report.dry_run and _counts(report) == (3, 0, 0, 0)
    assert not Building.objects.filter(source_key__startswith="layer:").exists()


def test_without_key_column_keyed_by_geometry(world, tmp_path):
    frame = buildings_frame([{"name": "甲", "geometry": footprint(102.702, 25.005)},
                             {"name": "乙", "geometry": footprint(102.745, 25.04)}])
    path = write(frame, tmp_path, "geojson", "nokey")
    assert _counts(layer_import(actor=world.users["root"], layer="buildings", path=path)) == (2, 0, 0, 0)
    assert _counts(layer_import(actor=world.users["root"], layer="buildings", path=path)) == (0, 0, 2, 0)
    assert Building.objects.filter(source_key__startswith="nokey:geom:").count() == 2


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_areas_keyed_by_code(world, tmp_path, fmt):
    cells = buildings_frame([
        {"code": "530103002001002", "name": "网格G", "geometry": shapely.box(102.73, 25.00, 102.745, 25.03)},
        {"code": "530103001001001", "name": "网格A", "geometry": shapely.box(102.70, 25.00, 102.715, 25.03)},
    ])
    root = world.users["root"]
    path = write(cells, tmp_path, fmt, "cells")
    report = layer_import(actor=root, layer="areas", path=path)
    # G is new but overlaps F (the existing cell covering all of C3): refused by the
    # hierarchy rules with the service's reason; A is unchanged.
    assert (report.created, report.unchanged, report.rejected) == (0, 1, 1)
    assert "overlaps" in report.issues[0].reason
    f = world.areas["F"]
    from gis_core.services import area_update

    area_update(area=f, boundary=shapely_to_geos(shapely.box(102.745, 25.00, 102.76, 25.06)))
    report = layer_import(actor=root, layer="areas", path=path)
    assert (report.created, report.unchanged, report.rejected) == (1, 1, 0), report.issues
    g = Area.objects.get(code="530103002001002")
    assert (g.name, g.level, g.parent) == ("网格G", 5, world.areas["C3"])
    assert _counts(layer_import(actor=root, layer="areas", path=path)) == (0, 0, 2, 0)


def shapely_to_geos(geom):
    from django.contrib.gis.geos import GEOSGeometry

    return GEOSGeometry(geom.wkt, srid=4326)
