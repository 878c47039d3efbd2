"""/my-cell/ on a phone (390×844, touch): the map fills the screen under the top bar (no
page scroll, no blank space), the lists and legend are in a bottom sheet a thumb opens —
a tap on its handle steps collapsed → half → full, a drag settles on the nearest height —
and the legend is reachable in it."""
from __future__ import annotations

import pytest

from tests.helpers import session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def state(page, name: str) -> None:
    page.wait_for_function("(name) => document.getElementById('panel').dataset.sheetState === name", arg=name)


def test_map_fills_the_phone_and_the_sheet_opens_to_the_legend(world, live_server, chromium):
    context = chromium.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="zh-CN")
    try:
        page = context.new_page()
        page.set_default_timeout(20000)
        session_login(context, live_server.url, world.users["leader_a"])
        page.goto(f"{live_server.url}/my-cell/")
        page.wait_for_selector("#map canvas")
        page.wait_for_selector("#legend .legend-group", state="attached")

        top = page.locator("header").first.bounding_box()
        map_box = page.locator("#map").bounding_box()
        assert map_box["x"] == 0 and map_box["width"] == PHONE["width"]
        assert abs(map_box["y"] - (top["y"] + top["height"])) <= 1
        assert abs(map_box["y"] + map_box["height"] - PHONE["height"]) <= 1  # down to the bottom edge
        assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        sheet = page.locator("#panel")
        assert sheet.get_attribute("data-sheet-state") == "collapsed"
        assert sheet.bounding_box()["height"] < 100
        assert not page.locator("#legend").is_visible()

        page.tap(".sheet-handle")
        state(page, "half")
        page.wait_for_function("(h) => Math.abs(document.getElementById('panel').getBoundingClientRect().height"
                               " - h / 2) < 2", arg=map_box["height"])
        page.tap(".sheet-handle")
        state(page, "full")

        # The legend is reached by scrolling inside the sheet, never the page.
        page.locator("#legend-box").scroll_into_view_if_needed()
        legend = page.locator("#legend .legend-group").first.bounding_box()
        assert legend["y"] >= map_box["y"] and legend["y"] + legend["height"] <= PHONE["height"]
        assert page.locator("#legend").is_visible()
        assert page.evaluate("window.scrollY") == 0

        # A drag down to near the bottom settles collapsed; up past the middle settles full.
        handle = page.locator(".sheet-handle").bounding_box()
        x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x, PHONE["height"] - 20, steps=8)
        page.mouse.up()
        state(page, "collapsed")
        handle = page.locator(".sheet-handle").bounding_box()
        y = handle["y"] + handle["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x, map_box["y"] + 80, steps=8)
        page.mouse.up()
        state(page, "full")
    finally:
        context.close()
