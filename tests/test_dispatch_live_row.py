"""The console draws a new SOS's row from the live event itself: no fetch of the alerts list
and no reload of the terminals before the row is there; the one terminal's marker takes the
SOS at once; the list is fetched again later (lazily) and agrees."""
from __future__ import annotations

import pytest

from tests.test_alert_lifecycle import raise_alert
from tests.test_dispatch_console import open_console

pytestmark = [pytest.mark.browser]

LIST = "/api/v1/alerts/?"        # the queue (config.alertsUrl + "?state=open…")
TERMINALS = "/api/v1/terminals/"  # the live terminals layer (every terminal of the areas)


def test_the_row_is_drawn_from_the_event_without_fetching_the_list(world, elders, asgi_server, chromium):
    context, page, requests, errors = open_console(chromium, asgi_server, world.users["dispatcher"])
    try:
        page.wait_for_function("() => DispatchConsole.state.known !== null")  # the first queue is in
        # just after the terminals' own 15 s refresh, so that it cannot fall in what is counted below
        page.wait_for_event("request", lambda r: TERMINALS in r.url, timeout=20000)
        page.wait_for_load_state("networkidle")
        requests.clear()

        alert = raise_alert(elders, "pB")
        page.wait_for_function(
            f"() => document.querySelector('#alert-queue li[data-alert-id=\"{alert.pk}\"]')"
            f" && DispatchConsole.state.terminals.some(f => f.properties.id === {alert.terminal_id}"
            f"    && f.properties.open_alert_id === {alert.pk} && f.properties.open_alert_kind === 'sos')")
        fetched = list(requests)
        assert [u for u in fetched if LIST in u] == []
        assert [u for u in fetched if TERMINALS in u and "/track/" not in u] == []

        row = page.locator(f"#alert-queue li[data-alert-id='{alert.pk}']")
        assert row.get_attribute("data-kind") == "sos" and row.get_attribute("data-state") == "new"
        assert "flash" in row.get_attribute("class")
        assert "居民pB" in row.inner_text()
        assert page.evaluate("DispatchConsole.state.beeps") == 1

        # later, the list is fetched once again, and says the same
        with page.expect_response(lambda r: LIST in r.url, timeout=20000):
            pass
        page.wait_for_timeout(300)  # drawn
        assert page.locator("#alert-queue li").count() == 1
        assert page.locator(f"#alert-queue li[data-alert-id='{alert.pk}']").get_attribute("data-state") == "new"
        assert page.evaluate("DispatchConsole.state.beeps") == 1  # not beeped again
        assert errors == []
    finally:
        context.close()
