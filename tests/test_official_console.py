"""The street official's console in headless Chromium, served by uvicorn as `make run`
serves it: layers render, a click on a building opens its popup, statistics drill down,
and the page asks nothing of any other host."""
import numpy as np
import pytest
from rasterio.io import MemoryFile

from tests.helpers import session_login

pytestmark = [pytest.mark.browser]


def map_idle(page) -> None:
    """Wait until the map has drawn every tile it asked for."""
    page.wait_for_function("() => window.GridMap && GridMap.ready")
    page.evaluate("GridMap.ready.then(g => { window.gridMap = g; })")
    page.wait_for_function("() => window.gridMap && gridMap.map.loaded() && gridMap.map.areTilesLoaded()"
                           " && !gridMap.map.isMoving()", timeout=30000)


def screenshot_pixels(page, selector: str) -> np.ndarray:
    with MemoryFile(page.locator(selector).screenshot()) as memory, memory.open() as png:
        return png.read()


def test_the_official_console_renders_inspects_and_drills_down(world, desk, asgi_server, chromium):
    desk.advance(desk.report(), "filed")  # a case filed this month in cell A (社区一)
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30000)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    session_login(context, asgi_server, world.users["street"])
    page.goto(f"{asgi_server}/console/official/")
    page.wait_for_selector("#map canvas")
    page.wait_for_selector("#children tbody tr")
    map_idle(page)

    # Something is drawn: the map holds many colours, not a blank background.
    pixels = screenshot_pixels(page, "#map")
    colours = np.unique(pixels[:3].reshape(3, -1).T, axis=0)
    assert len(colours) > 20, len(colours)

    # Statistics of the street, its communities listed; drill down to a community.
    assert page.inner_text("#area-name").startswith("拓东街道")
    rows = page.locator("#children tbody tr")
    assert rows.count() == 2  # 社区一, 社区二
    page.wait_for_selector("#cases tbody tr")  # this month's cases by community
    assert page.inner_text("#cases tbody tr").split("\t")[:2] == ["社区一", "1"]
    rows.first.click()
    page.wait_for_function("() => document.querySelector('#area-name').textContent.startsWith('社区一')")
    assert page.locator("#children tbody tr").count() == 2  # cells A and B

    # Click building bA: its popup shows its attributes, labelled.
    page.evaluate("gridMap.map.jumpTo({center: [102.7052, 25.0102], zoom: 17})")
    map_idle(page)
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.wait_for_selector("[data-testid=popup]")
    text = popup.inner_text()
    assert "楼bA" in text and "住宅" in text and "residential" not in text  # the category's label

    assert errors == []
    outside = [u for u in requests if not u.startswith((asgi_server, "data:", "blob:"))]
    assert outside == []
    context.close()
