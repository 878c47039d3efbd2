"""The noticeboard screen of an area (/screens/<code>/): no sign-in, Chinese, large type,
rotating through the active notices of the area and of the areas above it, fitting a
1280×800 screen and a 390×844 phone, no request leaving our server — and still showing
them when the network is gone (its service worker keeps the last page)."""
from __future__ import annotations

import pytest

from tests import page_checks
from tests.fixtures.notices import notice_body, notice_publish, warning_body

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_screen_lists_the_active_notices_of_its_area_and_parents(world, client):
    notice_publish(world, notice_body())  # community C1
    notice_publish(world, warning_body(target_areas=["530103002000"]), drafter="admin", approver="admin")  # S2
    cell_a = client.get("/screens/530103001001001/")  # cell A, under C1
    assert cell_a.status_code == 200 and "停水通知" in cell_a.content.decode()
    assert "暴雨红色预警" not in cell_a.content.decode()
    assert "暴雨红色预警" in client.get("/screens/530103002001001/").content.decode()
    assert client.get("/screens/999999999999/").status_code == 404


@pytest.mark.parametrize("browser_page", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
                         indirect=True)
def test_the_screen_rotates_in_chinese_fits_and_works_offline(world, live_server, browser_page):
    notice_publish(world, notice_body(body="明日8:00-12:00停水，请提前储水。" * 3))
    notice_publish(world, warning_body(), drafter="admin", approver="admin")
    page = browser_page.page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/screens/530103001001001/")
    assert page.locator("[data-testid=screen-notice]").count() == 2
    first = page.inner_text("[data-testid=screen-notice]:visible h2")
    page.wait_for_function(f"() => document.querySelector('[data-testid=screen-notice]:not([hidden]) h2')"
                           f".textContent !== {first!r}", timeout=20000)
    problems = (page_checks.overflow(page) + page_checks.hidden_shown(page)
                + page_checks.english_words(page, allow={"CAP"}))
    assert problems == [], problems
    assert browser_page.outside(live_server.url) == []

    page.wait_for_function("() => navigator.serviceWorker.controller !== null || "
                           "navigator.serviceWorker.ready.then(() => true)", timeout=15000)
    page.reload()  # the worker now answers (and keeps) the page
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15000)
    page.context.set_offline(True)
    page.reload()
    assert page.locator("[data-testid=screen-notice]").count() == 2
    page.wait_for_selector("#screen-offline:visible")
    assert errors == []
