"""The sign-in page is in the site's frame and fits a 360 px phone: fields full-width, the
button big enough to tap, nothing wider than the screen; a wrong password is said in place."""
from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("browser_page", [{"width": 360, "height": 740}], indirect=True)
def test_the_sign_in_page_fits_a_small_phone(world, live_server, browser_page):
    page = browser_page.page
    page.goto(f"{live_server.url}/admin/login/?next=/")
    assert page.is_visible("header.topbar") and page.inner_text("h1") == "登录"
    for field in ("#id_username", "#id_password", "input[type=submit]"):
        box = page.locator(field).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["width"] >= 280 and box["height"] >= 40
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.fill("#id_username", "leader_a")
    page.fill("#id_password", "wrong")
    page.click("input[type=submit]")
    page.wait_for_selector(".errornote")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.fill("#id_password", "pw-leader_a")
    page.click("input[type=submit]")
    page.wait_for_url(lambda url: "/admin/login/" not in url)
    assert page.url.startswith(live_server.url) and browser_page.outside(live_server.url) == []
