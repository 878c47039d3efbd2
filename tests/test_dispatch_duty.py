"""A dispatcher goes on and off duty from the console's check box (PATCH /api/v1/me/); a
role without duty (the district administrator) is not offered it."""
from __future__ import annotations

import pytest

from tests.helpers import session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dispatcher_goes_on_and_off_duty_from_the_console(world, live_server, browser_page):
    page = browser_page.page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    dispatcher = world.users["dispatcher"]
    session_login(page.context, live_server.url, dispatcher)
    page.goto(f"{live_server.url}/console/dispatch/")
    page.wait_for_selector("#on-duty")
    assert not page.is_checked("#on-duty")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/me/") and r.request.method == "PATCH") as answer:
        page.check("#on-duty")
    assert answer.value.status == 200
    dispatcher.refresh_from_db()
    assert dispatcher.on_duty is True
    with page.expect_response(lambda r: r.url.endswith("/api/v1/me/") and r.request.method == "PATCH"):
        page.uncheck("#on-duty")
    dispatcher.refresh_from_db()
    assert dispatcher.on_duty is False
    assert not errors, errors

    session_login(page.context, live_server.url, world.users["admin"])
    page.goto(f"{live_server.url}/console/dispatch/")
    page.wait_for_selector("#queue-box")
    assert page.locator("#on-duty").count() == 0
