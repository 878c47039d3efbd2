"""Pages render in headless Chromium with every asset from our own server: admin map
widgets, the API docs and the home page work on an intranet with no internet."""
import pytest

from tests.helpers import admin_login, swagger_operation_shown

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def canvas_is_drawn(page, selector: str) -> bool:
    """True when the map canvas holds more than one colour (something was drawn)."""
    return page.evaluate(
        """(sel) => {
            const canvases = document.querySelectorAll(sel + ' canvas');
            for (const c of canvases) {
                const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                const first = data.slice(0, 4).join();
                for (let i = 4; i < data.length; i += 4 * 97) {
                    if (data.slice(i, i + 4).join() !== first) return true;
                }
            }
            return false;
        }""", selector)


def test_admin_map_widget_draws_the_footprint_and_cells_offline(world, live_server, browser_page):
    page = browser_page.page
    admin_login(page, live_server.url, "leader_a", "pw-leader_a")
    page.goto(f"{live_server.url}/admin/assets/building/{world.buildings['bA'].pk}/change/")
    page.wait_for_selector("#id_footprint_map canvas")
    page.wait_for_function("() => document.querySelector('#id_footprint_map .ol-layer') !== null")
    page.wait_for_timeout(500)
    assert canvas_is_drawn(page, "#id_footprint_map")
    assert any("/api/v1/areas/?level=5&page_size=1000&in_bbox=" in u for u in browser_page.requests)  # cells
    assert browser_page.outside(live_server.url) == []


def test_api_docs_render_offline(world, live_server, browser_page):
    page = browser_page.page
    admin_login(page, live_server.url, "admin", "pw-admin")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "Grid management platform API" in page.inner_text(".swagger-ui .info .title")
    swagger_operation_shown(page, "/api/v1/buildings/")
    assert browser_page.outside(live_server.url) == []


@pytest.mark.parametrize("browser_page", [{"width": 390, "height": 844}], indirect=True)
def test_home_page_fits_a_phone(world, live_server, browser_page):
    page = browser_page.page
    page.goto(f"{live_server.url}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert browser_page.outside(live_server.url) == []
