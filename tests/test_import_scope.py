"""Every import is scoped: a grid leader imports only into their cell (the other rows are
rejected and nothing is written there), cannot take over a record of another cell by its
key, and cannot import what their role may not add; the page and the API refuse roles
without the add permission."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from import_files import buildings_frame, footprint, write

from assets.models import Building
from gis_core.importing.services import layer_import

ROWS = [
    {"id": "a1", "name": "A楼1", "geometry": footprint(102.702, 25.005)},   # cell A
    {"id": "a2", "name": "A楼2", "geometry": footprint(102.710, 25.020)},   # cell A
    {"id": "b1", "name": "B楼1", "geometry": footprint(102.720, 25.010)},   # cell B
    {"id": "f1", "name": "F楼1", "geometry": footprint(102.750, 25.050)},   # cell F
]


def test_grid_leader_imports_only_into_their_cell(world, tmp_path):
    path = write(buildings_frame(ROWS), tmp_path, "gpkg", "cells")
    in_b = Building.objects.filter(area=world.areas["B"]).count()
    report = layer_import(actor=world.users["leader_a"], layer="buildings", path=path)

    assert (report.created, report.rejected) == (2, 2)
    reasons = {i.key: i.reason for i in report.issues}
    assert reasons["cells:b1"] == "outside your areas (it lies in 网格B (530103001001002))"
    assert reasons["cells:f1"] == "outside your areas (it lies in 网格F (530103002001001))"
    assert set(Building.objects.filter(source_key__startswith="cells:").values_list("area", flat=True)) == {
        world.areas["A"].pk}
    assert Building.objects.filter(area=world.areas["B"]).count() == in_b


def test_community_worker_imports_into_its_cells(world, tmp_path):
    report = layer_import(actor=world.users["community"], layer="buildings",
                          path=write(buildings_frame(ROWS), tmp_path, "gpkg", "cells"))
    assert (report.created, report.rejected) == (3, 1)  # A, A, B; not F (another street)


def test_leader_cannot_take_over_another_cells_record(world, tmp_path):
    layer_import(actor=world.users["leader_b"], layer="buildings",
                 path=write(buildings_frame([ROWS[2]]), tmp_path, "geojson", "shared"))
    moved = buildings_frame([{**ROWS[2], "name": "改名", "geometry": footprint(102.703, 25.006)}])
    (tmp_path / "a").mkdir()
    report = layer_import(actor=world.users["leader_a"], layer="buildings",
                          path=write(moved, tmp_path / "a", "geojson", "shared"))
    assert (report.created, report.updated, report.rejected) == (0, 0, 1)
    assert report.issues[0].reason == "the record with this key is outside your areas (网格B (530103001001002))"
    b1 = Building.objects.get(source_key="shared:b1")
    assert (b1.name, b1.area) == ("B楼1", world.areas["B"])


@pytest.mark.parametrize("user, layer", [("street", "buildings"), ("handler", "organizations"),
                                         ("dispatcher", "key-sites"), ("leader_a", "areas")])
def test_roles_without_add_permission_refused(world, tmp_path, user, layer):
    with pytest.raises(PermissionDenied):
        layer_import(actor=world.users[user], layer=layer, path=write(buildings_frame(ROWS), tmp_path, "gpkg"))


def _upload(path):
    return {"layer": "buildings", "file": path.open("rb"), "source": "api"}


def test_api_scoped_and_refused(world, tmp_path):
    path = write(buildings_frame(ROWS), tmp_path, "gpkg", "api")
    answer = world.client("leader_a").post("/api/v1/imports/", _upload(path), format="multipart")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["created"], body["rejected"], body["dry_run"]) == (2, 2, False)
    assert {i["key"] for i in body["issues"]} == {"api:b1", "api:f1"}
    assert body["issues_url"].startswith("/imports/issues/")
    assert world.client("leader_a").get(body["issues_url"]).status_code == 200
    assert world.client("leader_b").get(body["issues_url"]).status_code == 404  # only the importer's own

    for user in ("street", "handler"):
        refused = world.client(user).post("/api/v1/imports/", _upload(path), format="multipart")
        assert refused.status_code == 403, user
    assert Building.objects.filter(source_key__startswith="api:").count() == 2
