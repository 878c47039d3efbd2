"""Tile invalidation bumps exactly the tiles that tiles/tilemath.py says a changed box
touches (buffer 64/4096 included), at every zoom of the layer — for many boxes at once,
as an import's statement passes them."""
import random

from django.db import connection

from tests.helpers import tiles_touched
from tiles.models import TileVersion


def test_a_batch_of_boxes_bumps_exactly_their_tiles(world):
    rng = random.Random(15)
    boxes = []
    for _ in range(400):  # spread over the world, so that their tiles rarely meet
        west, south = rng.uniform(-179.9, 179.8), rng.uniform(-84, 84)
        boxes.append((west, south, west + rng.uniform(0, 0.01), south + rng.uniform(0, 0.01)))
    boxes += [(-180, -85.06, -179.999, -85.0), (179.9995, 10, 180, 10.0001),  # world's edges
              (0, 0, 0, 0), (102.7, 25.0, 102.7, 25.0)]  # points; one on tile corners
    TileVersion.objects.filter(layer="buildings").delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT tiles_invalidate('buildings', %s::box2d[])",
                       [[f"BOX({w} {s},{e} {n})" for w, s, e, n in boxes]])
    bumped = set(TileVersion.objects.filter(layer="buildings").values_list("z", "x", "y"))
    expected = set().union(*(tiles_touched(box, 13, 16) for box in boxes))
    assert bumped == expected
