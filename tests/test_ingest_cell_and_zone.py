"""What the ingest's SQL computes for each fix: the deepest area that covers it (a cell, or
a higher area where no cell is), and its safe-zone status from the distance to the zone,
the great-circle distance on the sphere, as PostGIS's geography gives it."""
import math

import pytest
from django.db import connection

from gis_core import services
from gis_core.models import AreaLevel
from iot.batch_write import message_decode, messages_ingest
from iot.formats import encode
from iot.models import Position
from tests.helpers import at, box, east_of


def ingest(*messages) -> None:
    messages_ingest([message_decode(topic, payload) for topic, payload in messages])


def stored(terminal, seconds: int) -> Position:
    return Position.objects.get(terminal=terminal, time=at(seconds))


def fix(terminal, seconds: int, lon_lat: tuple[float, float], acc: float = 5):
    return encode.native(terminal.device_id, type="position", time=at(seconds), lon=lon_lat[0], lat=lon_lat[1],
                         acc=acc)


@pytest.mark.django_db
def test_a_fix_gets_the_deepest_area_that_covers_it(elders, world):
    lone = services.area_create(code="530104000000", name="无街道区", level=AreaLevel.DISTRICT, parent=None,
                                boundary=box(102.77, 25.00, 102.79, 25.03))
    native = elders.terminals["pB"]
    ingest(fix(native, 1, (102.705, 25.01)),   # cell A, inside community C1, street S1, district D
           fix(native, 2, (102.78, 25.01)),    # a district with nothing below it
           fix(native, 3, (102.80, 25.01)))    # outside every area
    assert [stored(native, s).area_id for s in (1, 2, 3)] == [world.areas["A"].id, lone.id, None]


@pytest.mark.django_db
def test_a_circular_zone_is_measured_on_the_sphere(elders):
    native = elders.terminals["pB"]
    home = elders.home("pB")  # the zone's centre; radius 300 m
    with connection.cursor() as cursor:
        for metres, bearing in ((0, 0), (120, 30), (299, 90), (301, 200), (450, 300), (5000, 45)):
            lon = home[0] + metres * math.sin(math.radians(bearing)) / 101_000
            lat = home[1] + metres * math.cos(math.radians(bearing)) / 111_000
            cursor.execute(
                "SELECT iot_zone_margin(z.center, z.radius_m, z.polygon, p), "
                "       ST_Distance(z.center::geography, p::geography, false) - z.radius_m "
                "FROM iot_safezone z, ST_SetSRID(ST_MakePoint(%s, %s), 4326) p WHERE z.person_id = %s",
                [lon, lat, native.person_id])
            margin, geography = cursor.fetchone()
            assert margin == pytest.approx(geography, abs=1e-6)

    ingest(fix(native, 1, east_of(home, 250)), fix(native, 2, east_of(home, 298), acc=5),
           fix(native, 3, east_of(home, 350)))
    assert [stored(native, s).zone for s in (1, 2, 3)] == ["inside", "near", "outside"]
