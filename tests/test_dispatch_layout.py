"""The dispatcher's console on a 10-inch tablet (1280×800): queue | map | detail side by
side, the queue showing many alerts at once (and scrolling), the selected elder's family
contacts and nearest responders visible without scrolling, SOS and falls in the alert
colour and drawn above every other marker."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from tests.helpers import session_login

pytestmark = [pytest.mark.browser]
TABLET = {"width": 1280, "height": 800}
KINDS = ["sos", "fall", "left_zone", "low_battery", "removed", "silent"]


def open_alerts(world, elders) -> list:
    """Every kind for each of the three terminals: eighteen open alerts, received a minute apart."""
    from iot.models import Alert, Terminal

    now = timezone.now()
    alerts = []
    for i, (key, kind) in enumerate((key, kind) for key in ("pA", "pB", "pF") for kind in KINDS):
        lon, lat = elders.home(key)
        at = now - dt.timedelta(minutes=i)
        Terminal.objects.filter(pk=elders.terminals[key].pk).update(
            last_position=Point(lon, lat, srid=4326), last_seen_at=now, last_fix_at=now, battery=80)
        alerts.append(Alert.objects.create(
            terminal=elders.terminals[key], person=world.people[key], kind=kind,
            area=world.areas[{"pA": "A", "pB": "B", "pF": "F"}[key]], position=Point(lon, lat, srid=4326),
            raised_at=at, received_at=at, last_report_at=at))
    return alerts


@pytest.mark.parametrize("browser_page", [TABLET], indirect=True)
def test_queue_map_and_detail_side_by_side_with_contacts_above_the_fold(world, elders, asgi_server, browser_page):
    alerts = open_alerts(world, elders)
    page = browser_page.page
    page.set_default_timeout(20000)
    session_login(page.context, asgi_server, world.users["dispatcher"])
    page.goto(f"{asgi_server}/console/dispatch/")
    page.wait_for_function(f"() => document.querySelectorAll('#alert-queue li').length === {len(alerts)}")

    queue, map_box, side = (page.locator(s).bounding_box() for s in ("#panel", "#map", "#panel-side"))
    assert queue["x"] + queue["width"] <= map_box["x"] + 1 and map_box["x"] + map_box["width"] <= side["x"] + 1
    assert min(queue["width"], map_box["width"], side["width"]) >= 300
    assert all(box["height"] >= 600 for box in (queue, map_box, side))
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")  # no page scroll

    # Many alerts at a glance: at least eight rows wholly in view; the rest scroll inside the list.
    shown = page.evaluate("""() => {
        const list = document.getElementById('alert-queue').getBoundingClientRect();
        const bottom = Math.min(list.bottom, window.innerHeight);
        return [...document.querySelectorAll('#alert-queue li')].filter((li) => {
            const r = li.getBoundingClientRect(); return r.top >= list.top - 1 && r.bottom <= bottom + 1; }).length;
    }""")
    assert shown >= 8, shown
    assert page.evaluate("(() => { const q = document.getElementById('alert-queue'); return q.scrollHeight > q.clientHeight; })()")

    # The most recent SOS first; selecting it shows who to call without scrolling.
    first = page.locator("#alert-queue li").first
    assert first.get_attribute("data-alert-id") == str(alerts[0].pk)
    first.click()
    page.wait_for_selector("#alert-contacts li")
    for selector in ("#alert-contacts li", "#detail-responders h4", "#alert-actions button"):
        box = page.locator(selector).first.bounding_box()
        assert box["y"] + box["height"] <= TABLET["height"], (selector, box)
    assert "家属pA" in page.inner_text("#alert-contacts")

    # SOS and falls in the alert colour, drawn above the other alerts; no other kind uses it.
    colours = page.evaluate("""() => {
        const map = DispatchConsole.grid.map;
        return {alert: getComputedStyle(document.documentElement).getPropertyValue('--alert').trim() || '#d0021b',
                paint: JSON.stringify(map.getPaintProperty('alerts-2', 'circle-color')),
                sort: JSON.stringify(map.getLayoutProperty('alerts-2', 'circle-sort-key')),
                top: map.getStyle().layers.slice(-3).map((l) => l.id)};
    }""")
    assert colours["alert"].lower() in colours["paint"].lower()
    assert colours["paint"].lower().count(colours["alert"].lower()) == 1
    assert colours["top"] == ["alerts-0", "alerts-1", "alerts-2"]
    assert '"sos","fall"' in colours["sort"]
