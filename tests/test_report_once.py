"""The report page: the receipt ("已上报 / 受理编号") is hidden until the case is sent, then
replaces the form — no second submit is possible — and the resident's name and phone are
asked only at the desk (community worker), not of a grid leader."""
from __future__ import annotations

import pytest

from incidents.models import Case
from tests.helpers import session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def open_report(page, base_url, user):
    session_login(page.context, base_url, user)
    page.goto(f"{base_url}/cases/report/")
    page.wait_for_function("() => window.GridMap && document.querySelector('#map canvas')")
    page.evaluate("() => GridMap.ready")


@pytest.mark.parametrize("browser_page", [PHONE], indirect=True)
def test_the_receipt_replaces_the_form_and_a_report_is_sent_once(world, live_server, browser_page):
    page = browser_page.page
    open_report(page, live_server.url, world.users["leader_a"])
    assert not page.is_visible("#done") and page.is_visible("#report-form")
    assert page.locator("#resident").count() == 0  # a grid leader reports from the spot, for no resident
    page.select_option("#main-category", "environment")
    page.select_option("#category", "garbage")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => document.getElementById('lon').value !== ''")
    page.fill("#description", "路灯损坏")
    # A double tap: the second is refused while the first is under way.
    page.evaluate("() => { const f = document.getElementById('report-form'); f.requestSubmit(); f.requestSubmit(); }")
    page.wait_for_selector("#done:not([hidden])")
    assert page.is_visible("#done") and not page.is_visible("#report-form") and not page.is_visible("#submit")
    assert page.is_disabled("#submit")
    number = page.inner_text("[data-testid=tracking-number]")
    page.evaluate("() => document.getElementById('report-form').requestSubmit()")  # the form, gone, sends nothing
    page.wait_for_timeout(300)
    assert Case.objects.filter(reporter=world.users["leader_a"]).count() == 1
    assert Case.objects.get().tracking_number == number
    page.click("#another")  # a new report starts from an empty form
    assert page.is_visible("#report-form") and not page.is_visible("#done") and page.is_enabled("#submit")


@pytest.mark.parametrize("browser_page", [PHONE], indirect=True)
def test_desk_staff_record_the_resident(world, live_server, browser_page):
    page = browser_page.page
    open_report(page, live_server.url, world.users["community"])
    assert page.is_visible("#resident") and page.is_visible("#reporter-name") and page.is_visible("#reporter-phone")
    assert not page.is_visible("#done")
