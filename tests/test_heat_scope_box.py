"""A heat tile reads points only within the box of the user's areas: a low-zoom tile spans
several districts, and a district user's tile read its neighbours' points for the scope to
drop them (tiles.heat.raster.points_box)."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers import tile_xy
from tiles.tilemath import box_intersection

BASE = "/tiles/heat/people"


def test_box_intersection():
    assert box_intersection((0, 0, 2, 2), (1, 1, 3, 3)) == (1, 1, 2, 2)
    assert box_intersection((0, 0, 1, 1), (1, 1, 2, 2)) == (1, 1, 1, 1)  # a shared corner
    assert box_intersection((0, 0, 1, 1), (2, 0, 3, 1)) is None


def binning_queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url).status_code
    return status, sum("sum(p.weight)" in q["sql"] for q in queries.captured_queries)


def test_a_tile_beyond_the_users_areas_reads_no_points(world):
    x, y = tile_xy(102.90, 25.20, 15)  # 15 km beyond the district's corner
    for user in ("admin", "leader_a"):
        assert binning_queries(world.client(user), f"{BASE}/15/{x}/{y}.png") == (204, 0)
        assert world.client(user).get(f"{BASE}/hex/15/{x}/{y}.pbf").status_code == 204


def test_a_tile_over_the_users_areas_still_reads_them(world):
    x, y = tile_xy(102.73, 25.03, 12)
    client, url = world.client("admin"), f"{BASE}/12/{x}/{y}.png"
    client.get(url)  # the colour scale, measured once
    assert binning_queries(client, url) == (200, 1)
