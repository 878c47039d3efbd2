"""The tile cache: hits, exact invalidation by edits (whatever writes them), no stale
tile after a race, live layers never stored."""
import datetime as dt

import mapbox_vector_tile
import pytest
from django.db import connection
from django.db.models import Q

from assets import services
from tests.helpers import building_in, tile_versions, tiles_touched
from tiles.layers import TileLayer, layer_for, register_layer
from tiles.models import TileCache
from tiles.mvt import cached_tile, render_tile, scope_key, store_tile, tile_get
from tiles.tilemath import tiles_covering


def tile_of(lon, lat, z):
    (x, y), = tiles_covering((lon, lat, lon, lat), z)
    return z, x, y


def names(tile) -> set[str]:
    return {f["properties"].get("name") for f in mapbox_vector_tile.decode(tile.mvt)["buildings"]["features"]}


def test_a_second_request_is_served_from_the_cache(world, django_assert_max_num_queries):
    client = world.client("admin")
    url = "/tiles/buildings/16/{1}/{2}.pbf".format(*tile_of(102.705, 25.01, 16))
    first = client.get(url)
    assert TileCache.objects.filter(layer="buildings", scope="530103").count() == 1
    with django_assert_max_num_queries(4):  # session, user, areas, cache
        second = client.get(url)
    assert second.content == first.content and second["ETag"] == first["ETag"]


def test_an_edit_bumps_exactly_the_tiles_it_touches(world):
    building = world.buildings["bA"]
    old_extent = building.footprint.extent
    before = {layer: tile_versions(layer) for layer in ("buildings", "cells", "key-sites")}
    moved = services.building_update(actor=world.users["root"], building=building,
                                     footprint=building_in(102.709, 25.013))
    changed = {layer: {k for k, v in tile_versions(layer).items() if before[layer].get(k, 0) != v}
               for layer in ("buildings", "cells", "key-sites")}
    assert changed["buildings"] == (tiles_touched(old_extent, 13, 16) | tiles_touched(moved.footprint.extent, 13, 16))
    assert changed["cells"] == tiles_touched(world.areas["A"].boundary.extent, 11, 16)  # its counts
    assert changed["key-sites"] == set()


def test_invalidation_keeps_untouched_tiles_and_redraws_touched_ones(world):
    admin = world.users["admin"]
    layer = layer_for("buildings")
    here, there = tile_of(102.705, 25.01, 16), tile_of(102.74, 25.02, 16)
    tile_get(layer, admin, *here), tile_get(layer, admin, *there)
    services.building_update(actor=world.users["root"], building=world.buildings["bA"], name="改名楼")
    assert cached_tile(layer, "530103", *there) is not None
    assert cached_tile(layer, "530103", *here) is None
    redrawn = tile_get(layer, admin, *here)
    assert not redrawn.cached and names(redrawn) == {"改名楼"}


def test_a_tile_drawn_before_an_edit_is_never_served_after_it(world):
    admin, layer = world.users["admin"], layer_for("buildings")
    here = tile_of(102.705, 25.01, 16)
    version, stale = render_tile(layer, admin, *here)        # drawn from the old data …
    services.building_update(actor=world.users["root"], building=world.buildings["bA"], name="新名")
    store_tile(layer, "530103", *here, version, stale)        # … and stored after the edit
    assert cached_tile(layer, "530103", *here) is None
    assert names(tile_get(layer, admin, *here)) == {"新名"}


def test_moving_people_refreshes_building_and_cell_tiles(world):
    admin, layer = world.users["admin"], layer_for("buildings")
    here = tile_of(102.705, 25.01, 16)
    tile_get(layer, admin, *here)
    cell_tile = tile_of(102.705, 25.01, 14)
    tile_get(layer_for("cells"), admin, *cell_tile)
    services.person_create(actor=world.users["root"], house=world.houses["hA"], name="新来的",
                           moved_in=dt.date(2026, 11, 1))
    assert cached_tile(layer, "530103", *here) is None
    assert cached_tile(layer_for("cells"), "530103", *cell_tile) is None
    (feature,) = mapbox_vector_tile.decode(tile_get(layer, admin, *here).mvt)["buildings"]["features"]
    assert feature["properties"]["resident_count"] == 2


def test_users_with_the_same_areas_share_cached_tiles(world):
    assert scope_key(world.users["admin"]) == scope_key(world.users["dispatcher"]) == "530103"
    assert scope_key(world.users["leader_a"]) == "530103001001001"
    assert scope_key(world.users["root"]) == "*"


@pytest.fixture
def live_layer():
    from gis_core.models import Area

    layer = register_layer(TileLayer(
        name="test-live", title="live", queryset=lambda: Area.objects.filter(level=5), geometry="boundary",
        minzoom=10, maxzoom=16, permission="gis_core.view_area", cache_seconds=0, attributes=[(10, {"code": "code"})]))
    yield layer
    from tiles.layers import _REGISTRY

    _REGISTRY.pop(layer.name)


def test_live_layers_are_never_stored(world, live_layer):
    client = world.client("admin")
    z, x, y = tile_of(102.705, 25.01, 12)
    response = client.get(f"/tiles/test-live/{z}/{x}/{y}.pbf")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert not TileCache.objects.filter(Q(layer="test-live")).exists()


def test_cached_tiles_are_not_compressed_again_by_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT attstorage FROM pg_attribute WHERE attrelid = 'tiles_tilecache'::regclass"
                       " AND attname = 'data'")
        assert cursor.fetchone()[0] == "e"  # external: out of line, uncompressed
