"""The report page's map opens at z16 over the user's areas, where a spot can be tapped
(it opened at the whole cell's 1 km scale)."""
from __future__ import annotations

import pytest

from tests.helpers import session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("browser_page", [{"width": 390, "height": 844}], indirect=True)
def test_the_report_map_opens_at_zoom_16_in_my_cell(world, live_server, browser_page):
    page = browser_page.page
    page.set_default_timeout(20000)
    session_login(page.context, live_server.url, world.users["leader_a"])
    page.goto(f"{live_server.url}/cases/report/")
    page.wait_for_selector("#map canvas")
    page.evaluate("GridMap.ready.then((g) => { window.gm = g; })")
    page.wait_for_function("() => window.gm")
    zoom, (lon, lat) = page.evaluate("[gm.map.getZoom(), gm.map.getCenter().toArray()]")
    assert round(zoom) == 16
    assert 102.70 <= lon <= 102.715 and 25.00 <= lat <= 25.03  # inside cell A
