"""The top bar on a phone (390×844, touch) folds into 菜单: the role's pages, who is signed
in and 退出登录 appear when it is opened, fit the screen and are big enough to tap; on a
desktop they are in the bar. Signing out from the menu ends the session."""
from __future__ import annotations

import pytest
from django.utils import translation

from gis_core.navigation import topbar_pages_for
from tests.helpers import session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def test_the_top_bar_folds_into_the_menu_on_a_phone(world, live_server, chromium):
    context = chromium.new_context(locale="zh-CN", **PHONE)
    try:
        session_login(context, live_server.url, world.users["street"])
        page = context.new_page()
        page.goto(f"{live_server.url}/quality/")
        menu = page.locator("button.menu-toggle")
        assert menu.is_visible() and menu.inner_text() == "菜单"
        assert page.is_hidden("#topnav") and page.is_hidden("text=退出登录")
        assert page.evaluate("document.querySelector('.topbar').getBoundingClientRect().height") < 80

        menu.tap()
        assert page.is_visible("#topnav") and menu.get_attribute("aria-expanded") == "true"
        links = page.locator("#topnav .nav-links a")
        with translation.override("zh-hans"):
            titles = [str(p.title) for p in topbar_pages_for(world.users["street"])]
        assert links.all_inner_texts() == titles and len(titles) >= 2
        for box in [links.nth(i).bounding_box() for i in range(links.count())]:
            assert box["height"] >= 40 and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert "Street" in page.inner_text("[data-testid=topbar-user]")
        assert "拓东街道" in page.inner_text("[data-testid=topbar-user]")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        with page.expect_navigation():
            page.locator("text=退出登录").tap()
        assert page.url == f"{live_server.url}/"
        assert page.is_visible("[data-testid=home-signin]")
    finally:
        context.close()


def test_the_top_bar_shows_its_links_on_a_desktop(world, live_server, browser_page):
    page = browser_page.page
    page.set_viewport_size({"width": 1440, "height": 900})
    session_login(page.context, live_server.url, world.users["dispatcher"])
    page.goto(f"{live_server.url}/console/cases/")
    assert page.is_hidden("button.menu-toggle") and page.is_visible("#topnav .nav-links")
    assert page.locator("#topnav .nav-links a[aria-current=page]").get_attribute("href") == "/console/cases/"
    assert page.is_visible("text=退出登录")
