"""A map page in Chromium draws our own basemap with nothing from outside: the configured
raster under everything, then the roads, the domain layers, and labels on top — building
and road names drawn with the locally served glyphs (Chinese by the browser's fonts)."""
from __future__ import annotations

import pytest
from django.contrib.gis.geos import LineString

from assets import services
from tests.helpers import session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RENDERED = """async ([layers, centre, zoom]) => {
    const grid = await GridMap.ready;
    grid.map.jumpTo({center: centre, zoom});
    await new Promise((resolve) => grid.map.once("idle", resolve));
    const found = {};
    for (const layer of layers) {
        found[layer] = grid.map.queryRenderedFeatures({layers: [layer]}).map((f) => f.properties.name);
    }
    return {found, order: grid.map.getStyle().layers.map((l) => l.id), glyphs: grid.map.getStyle().glyphs};
}"""


def test_map_page_draws_roads_and_labels_offline(world, live_server, browser_page, settings):
    # A "tile server" on our own origin stands in for the district's configured basemap.
    settings.BASEMAP_URL = f"{live_server.url}/static/vendor/swagger-ui/favicon-32x32.png?{{z}}/{{x}}/{{y}}"
    services.road_create(actor=world.users["admin"], name="长安街", kind="trunk",
                         centreline=LineString((102.7040, 25.0098), (102.7070, 25.0098), srid=4326))
    page = browser_page.page
    session_login(page.context, live_server.url, world.users["leader_a"])
    page.goto(f"{live_server.url}/my-cell/")
    page.wait_for_selector("#layer-list input[data-layer=roads]")

    result = page.evaluate(RENDERED, [["roads-1", "roads-label-0", "buildings-label-0"], [102.7052, 25.0099], 17])
    assert "长安街" in result["found"]["roads-1"]
    assert "长安街" in result["found"]["roads-label-0"]
    assert "楼bA" in result["found"]["buildings-label-0"]
    order = result["order"]
    assert order[:3] == ["background", "basemap", "roads-0"]
    assert order.index("roads-1") < order.index("cells-0") < order.index("buildings-0")
    labels = [i for i, layer in enumerate(order) if "-label-" in layer]
    assert labels and min(labels) > max(order.index(f"{n}-0") for n in ("buildings", "key-sites", "cells"))
    assert result["glyphs"].startswith(live_server.url + "/static/")

    requested = browser_page.requests
    assert any("/static/vendor/glyphs/DejaVuSans/0-255.pbf" in u for u in requested)  # "bA" of 楼bA
    assert any("/tiles/roads/" in u for u in requested)
    assert any("favicon-32x32.png?" in u for u in requested)
    assert browser_page.outside(live_server.url) == []

    page.uncheck("#layer-list input[data-layer=roads]")  # its labels go with it
    assert page.evaluate("GridMap.ready.then((g) => g.map.getLayoutProperty('roads-label-0', 'visibility'))") == "none"
