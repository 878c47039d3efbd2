"""Playing an elder's track fits the map to the track: every fix in view, closer in than
the district, wherever the dispatcher had moved the map."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from tests.helpers import session_login

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("browser_page", [{"width": 1280, "height": 800}], indirect=True)
def test_playback_fits_the_map_to_the_track(world, elders, asgi_server, browser_page):
    from iot.models import Alert, Position, Terminal

    terminal, person = elders.terminals["pA"], world.people["pA"]
    lon, lat = elders.home("pA")
    now = timezone.now()
    walk = [(lon + 0.004 - 0.001 * i, lat + 0.003 - 0.00075 * i) for i in range(5)]  # ~500 m towards home
    Position.objects.bulk_create([Position(
        terminal=terminal, time=now - dt.timedelta(minutes=20 - 4 * i), received_at=now - dt.timedelta(minutes=20 - 4 * i),
        geom=Point(x, y, srid=4326), accuracy_m=8, gps_fix=True, drawable=True, area=world.areas["A"], format="native")
        for i, (x, y) in enumerate(walk)])
    Terminal.objects.filter(pk=terminal.pk).update(last_position=Point(lon, lat, srid=4326), last_seen_at=now,
                                                   last_fix_at=now)
    alert = Alert.objects.create(terminal=terminal, person=person, kind="fall", area=world.areas["A"],
                                 position=Point(lon, lat, srid=4326), raised_at=now, received_at=now, last_report_at=now)

    page = browser_page.page
    page.set_default_timeout(20000)
    session_login(page.context, asgi_server, world.users["dispatcher"])
    page.goto(f"{asgi_server}/console/dispatch/")
    page.locator(f"#alert-queue li[data-alert-id='{alert.pk}']").click()
    page.wait_for_function("() => Number(document.getElementById('track-box').dataset.fixes) >= 5")
    page.evaluate("DispatchConsole.grid.map.jumpTo({center: [102.75, 25.05], zoom: 11})")  # far away, far out
    page.click("#track-play")
    page.wait_for_function("() => !DispatchConsole.grid.map.isMoving()")
    zoom, bounds = page.evaluate("(() => { const m = DispatchConsole.grid.map; "
                                 "return [m.getZoom(), m.getBounds().toArray()]; })()")
    (west, south), (east, north) = bounds
    assert all(west <= x <= east and south <= y <= north for x, y in walk)
    assert zoom > 13, zoom
