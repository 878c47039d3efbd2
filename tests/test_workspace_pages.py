"""The grid leader's workspace in Chromium on a 10-inch tablet: my cell, a building's
rooms, moving a person into a house, recording a visit with the GPS position."""
from __future__ import annotations

import pytest

from assets import services as assets_services
from assets.models import Residence
from grids.models import Visit
from tests.helpers import session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TABLET = {"width": 800, "height": 1280}


@pytest.mark.parametrize("browser_page", [TABLET], indirect=True)
def test_my_cell_building_move_in_and_visit_on_a_tablet(world, live_server, browser_page):
    import datetime as dt

    root, building = world.users["root"], world.buildings["bA"]
    vacant = assets_services.house_create(actor=root, building=building, unit=1, floor=4, room="402", use="rented")
    son = assets_services.person_create(actor=root, house=world.houses["hA"], relation="family",
                                        moved_in=dt.date(2020, 1, 1), name="居民子女", phone="13600009999")
    page = browser_page.page
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 25.0102, "longitude": 102.7052, "accuracy": 10})
    session_login(page.context, live_server.url, world.users["leader_a"])

    page.goto(f"{live_server.url}/my-cell/")
    page.wait_for_selector("#task-unverified summary .task-count")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.click("[data-testid=building-list] a:has-text('楼bA')")
    page.wait_for_selector("[data-testid=building-name]")
    assert page.inner_text("[data-testid=building-name]") == "楼bA"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.click(f"td.room[data-house='{vacant.pk}']")
    page.fill("#person-search", "居民子女")
    page.click("#person-results li")
    page.select_option("#move-in-relation", "owner")
    page.click("#move-in-submit")
    page.wait_for_selector(f"td.room[data-house='{vacant.pk}'] a:has-text('居民子女')")
    home = Residence.objects.get(person=son, moved_out__isnull=True)
    assert home.house == vacant and home.relation == "owner"

    page.click(f"td.room[data-house='{vacant.pk}'] a:has-text('居民子女')")
    page.wait_for_selector("[data-testid=person-name]")
    page.fill("#visit-notes", "新搬入，已登记")
    page.click("#visit-submit")
    page.wait_for_selector("[data-testid=visits] li:has-text('新搬入，已登记'), #visit-error:not([hidden])")
    assert page.is_hidden("#visit-error"), page.inner_text("#visit-error")
    visit = Visit.objects.get(person=son)
    assert visit.cell == world.areas["A"] and visit.visitor == world.users["leader_a"]
    assert abs(visit.location.x - 102.7052) < 1e-6 and abs(visit.location.y - 25.0102) < 1e-6
    assert browser_page.outside(live_server.url) == []
