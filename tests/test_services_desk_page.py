"""The desk in headless Chromium: a community worker finds the applicant on the roll, picks
the item, ticks only some materials and files — the application waits in 补正, the
one-time notice lists what is missing; the queue shows it; all in Chinese, no request
leaving our server."""
from __future__ import annotations

import pytest

from services.models import Application
from tests.helpers import session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("browser_page", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}],
                         indirect=True)
def test_filing_with_missing_materials_gives_the_notice(service_desk, live_server, browser_page):
    world = service_desk.world
    page = browser_page.page
    session_login(page.context, live_server.url, world.users["community"])
    page.goto(f"{live_server.url}/services/desk/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.fill("#person-search", "居民pA")
    page.click("#person-find")
    page.click("#person-results button")
    assert not page.is_hidden("#person-chosen")
    page.select_option("#item", "elderly_allowance")
    page.check("#checklist li:first-child input")  # the ID card only
    page.click("#file-submit")
    page.wait_for_selector("[data-testid=application-number]:not(:empty)")
    number = page.inner_text("[data-testid=application-number]")
    application = Application.objects.get(number=number)
    assert (application.state, application.person_id) == ("correction", world.people["pA"].pk)
    assert page.inner_text("#file-state") == "待补正"
    page.wait_for_selector(f"#queue tbody tr:has-text('{number}')")

    page.goto(live_server.url + page.get_attribute("#notice-link", "href"))
    missing = page.inner_text("[data-testid=missing]")
    assert "户口簿" in missing and "本人银行卡或存折" in missing and "申请人居民身份证" not in missing
    assert "一次性告知书" in page.inner_text("h1")
    assert browser_page.outside(live_server.url) == []
