"""A clicked feature's popup in Chromium (GridMap.renderPopup, one function for every map):
the layer's template's Chinese labels, choices' labels, 是/否 and local times — no raw keys,
no true/false, no ISO times — and only the topmost feature's popup, not the cell's under it."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from tests.helpers import IN_A, session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1440, "height": 900}
RAW_KEYS = ["device_id", "last_seen_at", "zone_state", "time_state", "urgency", "open_alert_kind", "is_key",
            "resident_count", "category", "true", "false", "undefined", "null"]
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")
TERMINAL_AT = (102.708, 25.012)


def click_at(page, lon: float, lat: float, layer: str) -> str:
    """Centre the map on (lon, lat) at z17, click there once `layer` is drawn, return the popup's text."""
    page.evaluate(f"GridMap.ready.then((g) => {{ window.gm = g; g.map.jumpTo({{center: [{lon}, {lat}], zoom: 17}}); }})")
    page.wait_for_function(f"""() => {{
        const map = window.gm && window.gm.map;
        if (!map || !map.loaded() || map.isMoving()) return false;
        const ids = window.gm.overlays.filter((o) => o.id === '{layer}').flatMap((o) => o.styleIds);
        return map.queryRenderedFeatures(map.project([{lon}, {lat}]), {{layers: ids}}).length > 0;
    }}""")
    x, y = page.evaluate(f"(() => {{ const p = gm.map.project([{lon}, {lat}]); return [p.x, p.y]; }})()")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    popup = page.locator("[data-testid=popup]")
    popup.wait_for()
    assert page.locator("[data-testid=popup]").count() == 1  # the topmost feature's only
    return popup.inner_text()


def assert_readable(text: str) -> None:
    for key in RAW_KEYS:
        assert key not in text, (key, text)
    assert not ISO_TIME.search(text), text


@pytest.mark.parametrize("browser_page", [DESKTOP], indirect=True)
def test_popups_on_my_cell_show_labels_not_keys(world, desk, elders, live_server, browser_page):
    from iot.models import Terminal

    desk.report("leader_a", at=IN_A, urgency="urgent")
    Terminal.objects.filter(pk=elders.terminals["pA"].pk).update(
        last_position=Point(*TERMINAL_AT, srid=4326), last_seen_at=timezone.now() - dt.timedelta(minutes=3),
        last_fix_at=timezone.now() - dt.timedelta(minutes=3), zone_state="outside", battery=64)
    page = browser_page.page
    page.set_default_timeout(20000)
    session_login(page.context, live_server.url, world.users["leader_a"])
    page.goto(f"{live_server.url}/my-cell/")
    page.wait_for_selector("#map canvas")

    # An elder's terminal (an overlay from the API): its template's labels, an age, a choice's label.
    text = click_at(page, *TERMINAL_AT, "my-terminals")
    assert_readable(text)
    for shown in ("设备号", "最后在线", "3分钟前", "在安全区外", "64"):
        assert shown in text, (shown, text)

    page.keyboard.press("Escape")
    page.evaluate("document.querySelectorAll('.maplibregl-popup').forEach((p) => p.remove())")
    # A case drawn over the building and the cell: the case's popup alone.
    text = click_at(page, *IN_A, "cases")
    assert_readable(text)
    assert text.startswith("未结案件"), text
    for shown in ("时限状态", "正常", "紧急程度", "紧急", "状态", "信息收集"):
        assert shown in text, (shown, text)
    assert "网格A" not in text  # not the cell's popup stacked under it


@pytest.mark.parametrize("browser_page", [DESKTOP], indirect=True)
def test_a_building_popup_links_to_its_page_and_says_yes_or_no(world, live_server, browser_page):
    page = browser_page.page
    page.set_default_timeout(20000)
    session_login(page.context, live_server.url, world.users["leader_a"])
    page.goto(f"{live_server.url}/my-cell/")
    page.wait_for_selector("#map canvas")
    # MapLibre's own controls speak Chinese too, and the scale bar is metric.
    assert page.get_attribute(".maplibregl-ctrl-zoom-in", "title") == "放大"
    assert re.search(r"\d+\s*(米|公里)", page.inner_text(".maplibregl-ctrl-scale"))
    text = click_at(page, 102.7052, 25.0102, "buildings")
    assert_readable(text)
    assert "楼bA" in text and "重点楼栋" in text and re.search(r"重点楼栋\s*否", text), text
    assert "住宅" in text, text  # the category's label, not "residential"
    href = page.locator("[data-testid=popup] a").get_attribute("href")
    assert href == f"/my-cell/buildings/{world.buildings['bA'].pk}/"
