"""The official console's hexagons draw: their tile URL is absolute (MapLibre's workers
cannot build a request from a relative URL), the tiles are fetched and hexagons rendered."""
from __future__ import annotations

import pytest

from tests.helpers import session_login

pytestmark = [pytest.mark.browser]


@pytest.mark.parametrize("browser_page", [{"width": 1280, "height": 800}], indirect=True)
def test_hexagon_tiles_have_an_absolute_url_and_draw(world, asgi_server, browser_page):
    page = browser_page.page
    page.set_default_timeout(30000)
    session_login(page.context, asgi_server, world.users["street"])
    page.goto(f"{asgi_server}/console/official/")
    page.wait_for_selector("#children tbody tr")
    page.check("#heat-hex")
    page.evaluate("GridMap.ready.then((g) => { window.gm = g; })")
    page.wait_for_function("() => window.gm && gm.map.getStyle().sources['src-heat-hex']")
    tiles = page.evaluate("gm.map.getStyle().sources['src-heat-hex'].tiles")
    assert tiles and all(url.startswith(asgi_server + "/tiles/heat/people/hex/") for url in tiles), tiles
    # Drawn: a hexagon over the residents of cell A (bA at 102.705, 25.01).
    page.evaluate("gm.map.jumpTo({center: [102.7052, 25.0102], zoom: 15})")
    page.wait_for_function("""() => {
        const map = gm.map;
        return map.loaded() && !map.isMoving() && map.queryRenderedFeatures({layers: ['heat-hex-0']}).length > 0;
    }""")
    assert any("/tiles/heat/people/hex/" in url for url in browser_page.requests)
