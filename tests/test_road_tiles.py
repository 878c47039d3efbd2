"""The roads layer: MVT with the roads in view, their class and name; base data that
every role reads across the districts of its areas (not only its own cell) and nobody
outside them; an edit shows in the next tile (the cache is invalidated)."""
from __future__ import annotations

from django.contrib.gis.geos import LineString

from assets import services
from gis_core import services as area_services
from gis_core.models import AreaLevel, Role
from tests.helpers import box, tile_features, tile_get, tile_xy


def _road(actor, name, kind, *coords):
    return services.road_create(actor=actor, name=name, kind=kind, centreline=LineString(*coords, srid=4326))


def _names(client, lon, lat, z=14) -> set[str]:
    x, y = tile_xy(lon, lat, z)
    response = tile_get(client, "roads", z, x, y)
    return set() if response.status_code == 204 else {f["properties"]["name"] for f in tile_features(response, "roads")}


def test_roads_in_view_for_every_role_of_the_district(world):
    admin = world.users["admin"]
    changan = _road(admin, "长安街", "trunk", (102.741, 25.021), (102.749, 25.021))  # in cell F
    _road(admin, "书林街", "footway", (102.7451, 25.0225), (102.7452, 25.0228))
    x, y = tile_xy(102.745, 25.021, 14)
    features = tile_features(tile_get(world.client("leader_a"), "roads", 14, x, y), "roads")
    assert {f["id"]: f["properties"] for f in features}[changan.pk] == {"kind": "trunk", "name": "长安街"}
    assert {f["geometry"]["type"] for f in features} == {"LineString"}
    # Cell F is neither leader A's nor the handler's, the dispatcher's or the street's: roads are base data.
    for role in ("leader_a", "leader_b", "street", "community", "dispatcher", "handler", "admin"):
        assert _names(world.client(role), 102.745, 25.021) == {"长安街", "书林街"}, role


def test_roads_of_another_district_are_not_shown(world):
    other = area_services.area_create(code="530102000000", name="五华区", level=AreaLevel.DISTRICT, parent=None,
                                      boundary=box(102.76, 25.00, 102.80, 25.06))
    outsider = area_services.user_create(username="wuhua", password="pw-wuhua-12345", role=Role.GRID_LEADER,
                                         areas=[other], name="五华")
    _road(world.users["root"], "五华路", "secondary", (102.77, 25.03), (102.78, 25.03))
    _road(world.users["root"], "盘龙路", "secondary", (102.745, 25.03), (102.755, 25.03))
    client = world.client("leader_a")
    client.force_login(outsider)
    assert _names(client, 102.775, 25.03, 13) == {"五华路"}
    assert _names(world.client("leader_a"), 102.775, 25.03, 13) == {"盘龙路"}


def test_an_edit_shows_in_the_next_tile(world):
    admin = world.users["admin"]
    road = _road(admin, "建设路", "branch", (102.741, 25.021), (102.749, 25.021))
    client = world.client("street")
    assert _names(client, 102.745, 25.021) == {"建设路"}
    services.road_update(actor=admin, road=road, name="建设北路")
    assert _names(client, 102.745, 25.021) == {"建设北路"}
    services.road_delete(actor=admin, road=road)
    assert _names(client, 102.745, 25.021) == set()


def test_a_road_must_be_a_line_in_the_district(world):
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.road_create(actor=world.users["admin"], name="面", kind="branch",
                             centreline=box(102.741, 25.021, 102.742, 25.022))
    assert "centreline" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        _road(world.users["admin"], "远", "branch", (103.5, 25.5), (103.6, 25.5))
    assert "centreline" in refused.value.message_dict


def test_maps_ask_for_road_tiles_across_the_district(world):
    """TileJSON bounds limit what MapLibre requests: a leader's roads reach past the cell."""
    layers = {layer["id"]: layer for layer in world.client("leader_a").get("/tiles/").json()["layers"]}
    assert layers["buildings"]["bounds"] == [102.70, 25.00, 102.715, 25.03]  # cell A
    assert layers["roads"]["bounds"] == [102.70, 25.00, 102.76, 25.06]       # the district
    assert world.client("leader_a").get("/tiles/roads.json").json()["bounds"] == [102.70, 25.00, 102.76, 25.06]
