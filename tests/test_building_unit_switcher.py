"""A 28-floor, 4-unit building on a phone (390×844): a unit switcher shows one unit at a
time (#unit-N links; a deep link opens that unit), so the page is not metres long; the
move-in form appears only once a room is chosen; nothing wider than the screen."""
from __future__ import annotations

import pytest

from assets import services as assets_services
from assets.models import House
from tests.helpers import building_in, session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def tower(world):
    building = assets_services.building_create(actor=world.users["root"], name="高层28", address="盘龙路28号",
                                               footprint=building_in(102.706, 25.012), floors=28,
                                               category="residential")
    House.objects.bulk_create(House(building=building, unit=unit, floor=floor, room=f"{floor}{n:02d}", use="self_occupied")
                              for unit in range(1, 5) for floor in range(1, 29) for n in (1, 2))
    return building


def shown_units(page) -> list[str]:
    return page.eval_on_selector_all(".unit", "(us) => us.filter((u) => u.offsetParent).map((u) => u.dataset.unit)")


@pytest.mark.parametrize("browser_page", [PHONE], indirect=True)
def test_one_unit_at_a_time(world, tower, live_server, browser_page):
    page = browser_page.page
    session_login(page.context, live_server.url, world.users["leader_a"])
    url = f"{live_server.url}/my-cell/buildings/{tower.pk}/"
    page.goto(url)
    assert page.locator(".unit-tabs a").count() == 4
    assert shown_units(page) == ["1"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("document.documentElement.scrollHeight") < 4 * 28 * 48  # one unit, not four
    assert not page.is_visible("#move-in")

    page.click(".unit-tabs a[href='#unit-3']")
    page.wait_for_function("() => location.hash === '#unit-3'")
    assert shown_units(page) == ["3"]
    assert page.get_attribute(".unit-tabs a[href='#unit-3']", "aria-current") == "true"

    page.goto(url + "#unit-4")  # a deep link
    page.reload()
    assert shown_units(page) == ["4"]
    page.click("#unit-4 td.room >> nth=0")
    assert page.is_visible("#move-in")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
