"""Vector tiles: decoded features and attributes, scoping, the HTTP contract (204, 304,
ETag, Cache-Control, TileJSON), and an index-backed tile filter."""
import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from assets import services
from tests.helpers import building_in, tile_features, tile_get, tile_xy
from tiles.layers import layer_for
from tiles.mvt import tile_sql
from tiles.tilemath import tiles_covering

DISTRICT = (102.70, 25.00, 102.76, 25.06)  # the fixture's district


def district_features(client, layer, z) -> dict[int, dict]:
    """Features of every tile over the fixture's district, by id."""
    found = {}
    for x, y in tiles_covering(DISTRICT, z):
        response = tile_get(client, layer, z, x, y)
        if response.status_code != 204:
            found.update({f["id"]: f for f in tile_features(response, layer)})
    return found


def test_building_features_carry_ids_and_zoom_dependent_attributes(world):
    client = world.client("admin")
    x, y = tile_xy(102.705, 25.01, 13)
    found = {f["id"]: f for f in tile_features(tile_get(client, "buildings", 13, x, y), "buildings")}
    bA = world.buildings["bA"]
    assert set(found) >= {bA.pk, world.buildings["bB"].pk}
    assert found[bA.pk]["properties"] == {"category": "residential", "is_key": False, "resident_count": 1}
    assert found[bA.pk]["geometry"]["type"] == "Polygon"

    x, y = tile_xy(102.705, 25.01, 15)
    (feature,) = tile_features(tile_get(client, "buildings", 15, x, y), "buildings")
    assert feature["properties"] == {"category": "residential", "is_key": False, "resident_count": 1,
                                     "name": "楼bA", "floors": 6, "address": "盘龙路bA号"}


def test_cells_carry_leaders_and_counts(world):
    found = {f["properties"]["code"]: f["properties"] for f in
             district_features(world.client("admin"), "cells", 11).values()}
    assert set(found) == {"530103001001001", "530103001001002", "530103001002001", "530103002001001"}
    assert found["530103001001001"] == {"code": "530103001001001", "name": "网格A", "level": 5, "leaders": "Leader_A",
                                        "building_count": 1, "house_count": 1, "people_count": 1}


@pytest.mark.parametrize("role, buildings, cells", [
    ("leader_a", {"bA"}, {"A"}), ("leader_b", {"bB"}, {"B"}), ("street", {"bA", "bB"}, {"A", "B", "E"}),
    ("admin", {"bA", "bB", "bF"}, {"A", "B", "E", "F"}),
])
def test_tiles_hold_only_the_users_areas(world, role, buildings, cells):
    client = world.client(role)
    assert set(district_features(client, "buildings", 13)) == {world.buildings[b].pk for b in buildings}
    codes = {f["properties"]["code"] for f in district_features(client, "cells", 11).values()}
    assert codes == {world.areas[c].code for c in cells}


def test_users_of_different_areas_one_after_another_each_get_their_own(world):
    """A cached layer's compiled rows are reused per scope (tiles/mvt.py): users of
    different areas in turn, in one process, never get another's."""
    for role, buildings in (("admin", {"bA", "bB", "bF"}), ("leader_a", {"bA"}), ("street", {"bA", "bB"}),
                            ("leader_b", {"bB"})):
        found = district_features(world.client(role), "buildings", 13)
        assert set(found) == {world.buildings[b].pk for b in buildings}, role


def test_key_sites_and_organizations(world):
    from django.contrib.gis.geos import Point

    from assets.models import KeySiteCategory

    root = world.users["root"]
    services.key_site_create(actor=root, name="加油站", category=KeySiteCategory.objects.get(code="fuel_station"),
                             geometry=Point(102.706, 25.016, srid=4326), risk_level=3)
    services.organization_create(actor=root, name="居委会", kind="grassroots", location=Point(102.707, 25.017, srid=4326))
    x, y = tile_xy(102.706, 25.016, 14)
    # Key sites from z15 only: further out they would drown the alerts.
    assert tile_get(world.client("leader_a"), "key-sites", 14, x, y).status_code == 204
    (site,) = tile_features(tile_get(world.client("leader_a"), "key-sites", 15, *tile_xy(102.706, 25.016, 15)),
                            "key-sites")
    assert site["properties"] == {"category": "fuel_station", "kind": "hazardous_goods", "risk_level": 3,
                                  "name": "加油站", "category_name": "加油站"}
    assert site["geometry"]["type"] == "Point"
    organizations = tile_features(tile_get(world.client("leader_a"), "organizations", 14, x, y), "organizations")
    assert organizations[0]["properties"] == {"kind": "grassroots", "name": "居委会"}
    assert tile_get(world.client("leader_b"), "key-sites", 15, *tile_xy(102.706, 25.016, 15)).status_code == 204


def test_http_contract(world):
    client = world.client("admin")
    response = tile_get(client, "buildings", 13, *tile_xy(102.705, 25.01, 13))
    etag = response["ETag"]
    assert response["Cache-Control"] == "private, no-cache" and etag.startswith('"')
    assert tile_get(client, "buildings", 13, *tile_xy(102.705, 25.01, 13), If_None_Match=etag).status_code == 304
    assert tile_get(client, "buildings", 13, 0, 0).status_code == 204           # nothing there
    assert tile_get(client, "buildings", 10, *tile_xy(102.705, 25.01, 10)).status_code == 204  # below minzoom
    assert tile_get(client, "buildings", 13, 99999, 0).status_code == 400
    assert client.get("/tiles/nothing/13/1/1.pbf").status_code == 404


def test_authentication_and_permission(world):
    from rest_framework.test import APIClient

    from gis_core import services as user_services

    assert APIClient().get("/tiles/buildings/13/0/0.pbf").status_code == 401
    token = Token.objects.create(user=world.users["leader_a"])
    x, y = tile_xy(102.705, 25.01, 13)
    response = APIClient().get(f"/tiles/buildings/13/{x}/{y}.pbf", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert {f["id"] for f in tile_features(response, "buildings")} == {world.buildings["bA"].pk}
    roleless = user_services.user_create(username="roleless", password=None, role="grid_leader", areas=[])
    roleless.role = ""
    roleless.save()
    world.users["roleless"] = roleless
    assert world.client("roleless").get(f"/tiles/buildings/13/{x}/{y}.pbf").status_code == 403


def test_tilejson_and_index(world):
    client = world.client("leader_a")
    document = client.get("/tiles/buildings.json").json()
    assert document["tilejson"] == "3.0.0"
    assert document["tiles"] == ["http://testserver/tiles/buildings/{z}/{x}/{y}.pbf"]
    assert (document["minzoom"], document["maxzoom"]) == (13, 16)
    assert document["bounds"] == [102.7, 25.0, 102.715, 25.03]  # cell A
    assert set(document["vector_layers"][0]["fields"]) == {"category", "is_key", "resident_count", "name", "floors",
                                                          "address"}
    names = {layer["id"] for layer in client.get("/tiles/").json()["layers"]}
    assert {"districts", "streets", "communities", "cells", "buildings", "key-sites", "organizations"} <= names


def test_the_tile_filter_uses_the_spatial_index(world):
    """With a realistic number of buildings (and statistics), a tile's rows come from the
    footprint's GiST index, not a scan."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO assets_building (name, address, footprint, floors, category, is_key, created_at, updated_at)"
            " SELECT 'b' || i, '', ST_Multi(ST_Expand(ST_SetSRID(ST_MakePoint(102.7001 + (i % 70) * 0.00085,"
            " 25.0001 + (i / 70) * 0.0012), 4326), 0.0001)), 3, 'residential', false, now(), now()"
            " FROM generate_series(0, 3499) i")
        cursor.execute("ANALYZE assets_building")
    layer = layer_for("buildings")
    sql, params = tile_sql(layer, world.users["admin"], 16, *tile_xy(102.705, 25.01, 16))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "assets_building_footprint" in plan and "Index" in plan, plan


def test_a_new_building_appears_at_once(world):
    client = world.client("admin")
    x, y = tile_xy(102.705, 25.01, 13)
    before = {f["id"] for f in tile_features(tile_get(client, "buildings", 13, x, y), "buildings")}
    new = services.building_create(actor=world.users["root"], name="新楼", footprint=building_in(102.708, 25.012))
    after = {f["id"] for f in tile_features(tile_get(client, "buildings", 13, x, y), "buildings")}
    assert after == before | {new.pk}
