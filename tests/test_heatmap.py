"""Server-side heatmaps (tiles.heat): PNG tiles, legend, GeoTIFF and hexagon vector tiles
show counts only within the user's areas, add up to the counts they represent, and sit
in the right place on the map."""
import datetime as dt
import math
from dataclasses import dataclass

import mapbox_vector_tile
import numpy as np
import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from pyproj import Transformer
from rasterio.io import MemoryFile
from rest_framework.authtoken.models import Token

from assets import services
from assets.models import Building, PersonTag
from tests.helpers import building_in
from tiles import heat
from tiles.heat import metrics as heat_metrics
from tiles.tilemath import EARTH_HALF, lonlat_to_3857, tile_bounds_3857, tiles_covering

DISTRICT = (102.70, 25.00, 102.76, 25.06)
BASE = "/tiles/heat"

# Residents per cell once `crowd` has run: the world's one each, plus these.
EXTRA = {"hA": 2, "hB": 1, "hF": 5}
PEOPLE = {"A": 3, "B": 2, "F": 6}
LIVING_ALONE = {"A": 2, "B": 1, "F": 0}   # pA, one more in A, one in B
DISABLED = {"A": 1, "B": 0, "F": 0}       # pA (a sensitive tag)


@pytest.fixture
def crowd(world):
    """More residents, so that building bF (cell F) is the densest place of the district."""
    root, alone = world.users["root"], PersonTag.objects.get(code="living_alone")
    for house, n in EXTRA.items():
        for i in range(n):
            tags = [alone] if i == 0 and house in ("hA", "hB") else []
            services.person_create(actor=root, house=world.houses[house], relation="family",
                                   moved_in=dt.date(2021, 3, 1), name=f"住户{house}{i}", tags=tags)
    return world


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    mx, my = lonlat_to_3857(lon, lat)
    size = 2 * EARTH_HALF / 2 ** z
    return math.floor((mx + EARTH_HALF) / size), math.floor((EARTH_HALF - my) / size)


def covering_tile(extent) -> tuple[int, int, int]:
    """The deepest tile that holds the whole extent."""
    for z in range(16, -1, -1):
        tiles = list(tiles_covering(extent, z))
        if len(tiles) == 1:
            return (z, *tiles[0])
    raise AssertionError("no tile covers the extent")


def anchor(world, key: str):
    return Building.objects.get(pk=world.buildings[key].pk).anchor


@dataclass
class Download:
    response: object
    band: np.ndarray
    crs: object
    transform: object
    tags: dict


def geotiff(client, **params) -> Download:
    response = client.get(f"{BASE}/{params.pop('metric', 'people')}.tif", params)
    assert response.status_code == 200, response.content[:300]
    with MemoryFile(response.content) as memory, memory.open() as tif:
        return Download(response, tif.read(1), tif.crs, tif.transform, tif.tags())


def png_rgba(response) -> np.ndarray:
    with MemoryFile(response.content) as memory, memory.open() as png:
        return png.read()


# ---------------------------------------------------------------------------- GeoTIFF

@pytest.mark.parametrize(("user", "metric", "params", "cells"), [
    ("admin", "people", {}, PEOPLE),
    ("street", "people", {}, {k: v for k, v in PEOPLE.items() if k in "AB"}),
    ("leader_a", "people", {}, {"A": PEOPLE["A"]}),
    ("admin", "tag", {"tag": "living_alone"}, LIVING_ALONE),
    ("leader_b", "tag", {"tag": "living_alone"}, {"B": LIVING_ALONE["B"]}),
    ("leader_a", "tag", {"tag": "disabled"}, {"A": DISABLED["A"]}),
])
def test_the_geotiff_adds_up_to_the_count_it_represents(crowd, user, metric, params, cells):
    tif = geotiff(crowd.client(user), metric=metric, **params)
    expected = sum(cells.values())
    assert tif.band.dtype == np.float32
    assert float(tif.band.astype(np.float64).sum()) == pytest.approx(expected, abs=1e-3)
    assert float(tif.tags["total"]) == expected
    assert tif.tags["metric"] == metric and tif.tags["unit"] == "people per pixel"
    assert tif.tags["window"] == "current"
    assert (tif.band > 0).sum() > 1  # smoothed, not points


def test_the_geotiff_is_in_the_local_gauss_kruger_zone_and_in_place(crowd):
    tif = geotiff(crowd.client("admin"), pixel=50)
    band, transform = tif.band, tif.transform
    assert tif.crs.to_epsg() == 4543  # CGCS2000 / 3-degree Gauss-Kruger CM 102E
    assert transform.b == 0 and transform.d == 0 and transform.a == 50 and transform.e == -50  # north-up
    point = anchor(crowd, "bF")  # the densest building
    east, north = Transformer.from_crs(4326, 4543, always_xy=True).transform(point.x, point.y)
    expected = (math.floor((transform.f - north) / 50), math.floor((east - transform.c) / 50))
    assert np.unravel_index(np.argmax(band), band.shape) == expected


def test_the_geotiff_download_is_named_after_the_area(crowd):
    street = crowd.client("street")
    response = geotiff(street, pixel=100).response
    assert response["Content-Type"] == "image/tiff"
    assert response["Content-Disposition"] == 'attachment; filename="heat-people-530103001.tif"'
    tif = geotiff(crowd.client("admin"), area=str(crowd.areas["B"].pk))
    assert tif.response["Content-Disposition"] == 'attachment; filename="heat-people-530103001001002.tif"'
    assert float(tif.band.sum()) == pytest.approx(PEOPLE["B"], abs=1e-3)


def test_a_time_window_counts_the_residences_overlapping_it(crowd):
    root = crowd.users["root"]
    leaver = services.person_create(actor=root, house=crowd.houses["hB"], relation="tenant",
                                    moved_in=dt.date(2020, 1, 1), name="搬走的人")
    services.residence_move_out(actor=root, residence=leaver.residences.get(), moved_out=dt.date(2022, 6, 30))
    admin = crowd.client("admin")
    everyone = sum(PEOPLE.values())

    def total(**window):
        return admin.get(f"{BASE}/people/legend.json", window).json()["total"]

    assert total() == everyone
    assert total(since="2022-01-01", until="2022-12-31") == everyone + 1  # the leaver was there
    assert total(since="2023-01-01") == everyone
    assert total(until="2020-12-31") == 4  # the world's three and the leaver, before the crowd came
    tif = geotiff(admin, since="2022-01-01", until="2022-12-31")
    assert float(tif.band.sum()) == pytest.approx(everyone + 1, abs=1e-3)
    assert tif.tags["window"] == "2022-01-01/2022-12-31"


# ---------------------------------------------------------------------------- PNG tiles

def test_png_tiles_show_where_people_live_and_nothing_elsewhere(crowd):
    admin = crowd.client("admin")
    point = anchor(crowd, "bF")
    x, y = tile_of(point.x, point.y, 15)
    response = admin.get(f"{BASE}/people/15/{x}/{y}.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=60"
    rgba = png_rgba(response)
    assert rgba.shape == (4, 256, 256)
    assert rgba[3].max() > 200 and (rgba[3] == 0).any()  # a hot spot, transparent around it
    empty_x, empty_y = tile_of(102.715, 25.045, 15)  # cell E: no buildings
    assert admin.get(f"{BASE}/people/15/{empty_x}/{empty_y}.png").status_code == 204


def test_neighbouring_tiles_meet_without_a_seam(crowd):
    """A building on a tile edge warms both tiles, on the same colour scale."""
    z, lat = 15, 25.015
    x, y = tile_of(102.712, lat, z)
    edge_lon = (x + 1) / 2 ** z * 360 - 180
    root = crowd.users["root"]
    building = services.building_create(actor=root, name="跨界楼", footprint=building_in(edge_lon - 0.0002, lat),
                                        floors=9, category="residential")
    house = services.house_create(actor=root, building=building, unit=1, floor=1, room="101")
    for i in range(4):
        services.person_create(actor=root, house=house, relation="family", name=f"跨界{i}")
    admin = crowd.client("admin")
    west = png_rgba(admin.get(f"{BASE}/people/{z}/{x}/{y}.png")).astype(int)
    east = png_rgba(admin.get(f"{BASE}/people/{z}/{x + 1}/{y}.png")).astype(int)
    assert west[3, :, -1].max() > 100 and east[3, :, 0].max() > 100
    assert np.abs(west[:, :, -1] - east[:, :, 0]).max() <= 16


def test_a_grid_leader_sees_no_heat_over_another_cell(crowd):
    point = anchor(crowd, "bB")
    x, y = tile_of(point.x, point.y, 15)
    url = f"{BASE}/people/15/{x}/{y}.png"
    assert crowd.client("leader_a").get(url).status_code == 204
    assert crowd.client("leader_b").get(url).status_code == 200
    z, x, y = covering_tile(DISTRICT)
    assert crowd.client("leader_a").get(f"{BASE}/people/{z}/{x}/{y}.png").status_code == 200


# ---------------------------------------------------------------------------- legend

@pytest.mark.parametrize(("user", "cells"), [("admin", "ABF"), ("street", "AB"), ("leader_a", "A"), ("root", "ABF")])
def test_the_legend_total_is_the_users_scope(crowd, user, cells):
    legend = crowd.client(user).get(f"{BASE}/people/legend.json").json()
    assert legend["total"] == sum(PEOPLE[c] for c in cells)
    assert legend["metric"] == "people" and legend["unit"] == "people per km²" and legend["title"]
    values = [value for value, _colour in legend["stops"]]
    assert values == sorted(values) and values[0] == 0 and values[-1] == legend["max"] > 0
    assert all(len(colour) == 7 and colour.startswith("#") for _value, colour in legend["stops"])


def test_the_legend_of_an_area(crowd):
    admin = crowd.client("admin")
    legend = admin.get(f"{BASE}/tag/legend.json", {"tag": "living_alone", "area": crowd.areas["S1"].pk}).json()
    assert legend["total"] == LIVING_ALONE["A"] + LIVING_ALONE["B"]


# ---------------------------------------------------------------------------- hexagons

def test_hexagons_over_the_district_add_up_to_everyone(crowd):
    z, x, y = covering_tile(DISTRICT)
    response = crowd.client("admin").get(f"{BASE}/people/hex/{z}/{x}/{y}.pbf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    layer = mapbox_vector_tile.decode(response.content)["heat-hex"]
    assert layer["extent"] == 4096
    features = layer["features"]
    assert sum(f["properties"]["value"] for f in features) == sum(PEOPLE.values())
    assert sorted(f["id"] for f in features) == list(range(1, len(features) + 1))
    assert all(f["properties"]["density"] > 0 and f["geometry"]["type"] == "Polygon" for f in features)


def test_hexagons_are_scoped_and_empty_tiles_are_204(crowd):
    z, x, y = covering_tile(DISTRICT)
    response = crowd.client("leader_a").get(f"{BASE}/tag/hex/{z}/{x}/{y}.pbf", {"tag": "living_alone"})
    layer = mapbox_vector_tile.decode(response.content)["heat-hex"]
    assert sum(f["properties"]["value"] for f in layer["features"]) == LIVING_ALONE["A"]
    empty_x, empty_y = tile_of(102.715, 25.045, 15)
    assert crowd.client("admin").get(f"{BASE}/people/hex/15/{empty_x}/{empty_y}.pbf").status_code == 204


# ---------------------------------------------------------------------------- access

def test_sensitive_tags_only_for_roles_that_see_personal_data(crowd):
    street = crowd.client("street")
    refused = street.get(f"{BASE}/tag/legend.json", {"tag": "disabled"})
    assert refused.status_code == 403 and "detail" in refused.json()
    assert street.get(f"{BASE}/tag.tif", {"tag": "disabled"}).status_code == 403
    assert street.get(f"{BASE}/tag/legend.json", {"tag": "living_alone"}).status_code == 200
    leader = crowd.client("leader_a").get(f"{BASE}/tag/legend.json", {"tag": "disabled"})
    assert leader.status_code == 200 and leader.json()["total"] == DISABLED["A"]


def test_anonymous_requests_are_refused(crowd):
    anonymous = Client()
    for url in (f"{BASE}/people/15/0/0.png", f"{BASE}/people/legend.json", f"{BASE}/people.tif",
                f"{BASE}/people/hex/15/0/0.pbf"):
        response = anonymous.get(url)
        assert response.status_code == 401, url
        assert "detail" in response.json()
    assert anonymous.get(f"{BASE}/people/legend.json", HTTP_AUTHORIZATION="Token nonsense").status_code == 401


def test_token_authentication(crowd):
    token = Token.objects.create(user=crowd.users["leader_b"])
    response = Client().get(f"{BASE}/people/legend.json", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["total"] == PEOPLE["B"]


def test_roles_without_the_metrics_permission_are_refused(crowd):
    assert crowd.client("handler").get(f"{BASE}/people/legend.json").status_code == 403


@pytest.mark.parametrize(("url", "params", "field"), [
    ("people/legend.json", {"since": "2024-13-01"}, "since"),
    ("people/legend.json", {"until": "yesterday"}, "until"),
    ("people/legend.json", {"since": "2024-05-01", "until": "2024-04-01"}, "since"),
    ("people/legend.json", {"area": "B"}, "area"),
    ("tag/legend.json", {}, "tag"),
    ("tag/legend.json", {"tag": "no_such_tag"}, "tag"),
    ("people.tif", {"pixel": "5"}, "pixel"),
    ("people.tif", {"pixel": "2000"}, "pixel"),
    ("people.tif", {"pixel": "fine"}, "pixel"),
    ("people/25/0/0.png", {}, "z"),
    ("people/3/8/0.png", {}, "x"),
    ("people/hex/3/0/9.pbf", {}, "y"),
])
def test_bad_parameters_are_400s_naming_the_field(crowd, url, params, field):
    response = crowd.client("admin").get(f"{BASE}/{url}", params)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_unknown_metrics_and_areas_outside_the_scope_are_404s(crowd):
    leader = crowd.client("leader_a")
    assert leader.get(f"{BASE}/nonsense/legend.json").status_code == 404
    assert leader.get(f"{BASE}/people/legend.json", {"area": crowd.areas["B"].pk}).status_code == 404
    assert leader.get(f"{BASE}/people/legend.json", {"area": 999999}).status_code == 404
    assert leader.get(f"{BASE}/people/legend.json", {"area": crowd.areas["A"].pk}).status_code == 200


# ---------------------------------------------------------------------------- the registry

def test_apps_can_register_their_own_metrics(crowd):
    """A metric is a permission and the SQL of its points; tiles, legend and downloads
    come with it."""
    def hospitals(user, window, params):
        buildings = heat.scoped(Building.objects.filter(category="hospital"), user, window, geometry="anchor")
        return heat.queryset_points(buildings.values(geom=F("anchor"), weight=F("floors")), window)

    heat.register_metric(heat.HeatMetric("hospital_floors", "Hospital floors", "assets.view_building", hospitals,
                                         noun="floors"))
    try:
        legend = crowd.client("handler").get(f"{BASE}/hospital_floors/legend.json").json()
        assert legend["total"] == 6 and legend["unit"] == "floors per km²"
    finally:
        heat_metrics._METRICS.pop("hospital_floors")


def test_the_gauss_kruger_zone_follows_the_longitude():
    assert heat.gauss_kruger_epsg(102.7) == 4543
    assert heat.gauss_kruger_epsg(75.2) == 4534 and heat.gauss_kruger_epsg(134.9) == 4554
    with pytest.raises(ValueError):
        heat.gauss_kruger_epsg(2.35)


def test_hexagon_counts_match_a_plain_point_in_polygon_join(django_user_model):
    """2,000 points scattered over a tile: the hexagon counts are those of joining every
    point to every hexagon with ST_Intersects."""
    z, x, y = 12, 3216, 1753
    xmin, ymin, xmax, ymax = tile_bounds_3857(z, x, y)
    scatter = ("SELECT (%s + %s * mod(g * 0.6180339887, 1))::float8 AS x, "
               "(%s + %s * mod(g * 0.7548776662, 1))::float8 AS y, 1 AS weight FROM generate_series(1, 2000) g")
    params = [xmin, xmax - xmin, ymin, ymax - ymin]
    metric = heat.HeatMetric("scatter", "Scatter", "assets.view_building", lambda *_args: (scatter, params))
    operator = django_user_model.objects.create_superuser("operator", password="pw")
    tile = heat.hex_mvt(heat.HeatQuery(metric, operator), z, x, y)
    values = sorted(f["properties"]["value"] for f in mapbox_vector_tile.decode(tile)["heat-hex"]["features"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM ST_HexagonGrid(%s, ST_TileEnvelope(%s, %s, %s)) h JOIN ({scatter}) p "
            "ON ST_Intersects(h.geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 3857)) GROUP BY h.i, h.j ORDER BY 1",
            [(xmax - xmin) / heat.HEX_PER_TILE, z, x, y, *params])
        expected = [n for (n,) in cursor.fetchall()]
    assert values == expected and sum(values) == 2000


def test_the_planner_settings_end_with_each_heat_query(crowd):
    """Heat queries turn JIT off for themselves only, even inside a longer transaction
    (as this test is)."""
    def jit():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('jit')")
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = on")
    assert crowd.client("admin").get(f"{BASE}/people/legend.json").status_code == 200
    assert jit() == "on"
