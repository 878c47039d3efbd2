"""A terminal whose clock is far off (a watch that lost its time says 2017): its alert is
ordered and aged by when it was received, and says 设备时间异常 with the device's time."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from tests.helpers import session_login

CLOCK_2017 = dt.datetime(2017, 3, 1, 8, 0, tzinfo=dt.UTC)


def two_sos(world, elders):
    from iot.models import Alert

    now = timezone.now()
    earlier = now - dt.timedelta(minutes=10)
    made = {}
    for key, raised, received in (("pB", earlier, earlier), ("pA", CLOCK_2017, now)):
        lon, lat = elders.home(key)
        made[key] = Alert.objects.create(
            terminal=elders.terminals[key], person=world.people[key], kind="sos",
            area=world.areas[{"pA": "A", "pB": "B"}[key]], position=Point(lon, lat, srid=4326),
            raised_at=raised, received_at=received, last_report_at=received)
    return made


def test_the_queue_is_ordered_by_receipt_and_flags_the_wrong_clock(world, elders):
    made = two_sos(world, elders)
    assert made["pA"].device_clock_off and not made["pB"].device_clock_off
    body = world.client("dispatcher").get("/api/v1/alerts/", {"state": "open"}).json()
    rows = [(f["id"], f["properties"]["device_clock_off"]) for f in body["features"]]
    assert rows == [(made["pA"].pk, True), (made["pB"].pk, False)]  # received last, listed first


@pytest.mark.browser
@pytest.mark.parametrize("browser_page", [{"width": 1280, "height": 800}], indirect=True)
def test_the_console_shows_the_device_time_as_wrong_and_ages_by_receipt(world, elders, asgi_server, browser_page):
    made = two_sos(world, elders)
    page = browser_page.page
    page.set_default_timeout(20000)
    session_login(page.context, asgi_server, world.users["dispatcher"])
    page.goto(f"{asgi_server}/console/dispatch/")
    row = page.locator(f"#alert-queue li[data-alert-id='{made['pA'].pk}']")
    row.wait_for()
    assert page.locator("#alert-queue li").first.get_attribute("data-alert-id") == str(made["pA"].pk)
    text = row.inner_text()
    assert "设备时间异常" in text and "2017" in text, text
    assert "天前" not in row.locator("time.since").inner_text()  # aged by receipt: moments ago
    assert page.locator(f"#alert-queue li[data-alert-id='{made['pB'].pk}'] [data-testid=clock-off]").count() == 0
    row.click()
    page.wait_for_selector("#detail-clock:not([hidden])")
    assert "设备时间异常" in page.inner_text("#detail-clock") and "2017" in page.inner_text("#detail-clock")
    # in the district's time (08:00 UTC is 16:00 in Asia/Shanghai), whatever the browser's zone
    assert "16:00:00" in page.inner_text("#detail-clock"), page.inner_text("#detail-clock")
