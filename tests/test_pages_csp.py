"""Every page in Chromium under the Content-Security-Policy, as each role that uses it:
no violation (``securitypolicyviolation`` events, console errors naming the policy), no
script error, and the map pages still draw (canvas, layers, rendered features). One
browser, one context per role, pages in turn."""
from __future__ import annotations

import pytest

from tests.helpers import session_login, swagger_operation_shown
from tests.site_pages import PAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = list(dict.fromkeys(role for page in PAGES for role in page.roles))

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(
  e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber));
"""

MAP_DRAWN = """async () => {
  const grid = await GridMap.ready;
  for (let i = 0; i < 300 && !(grid.map.loaded() && grid.map.areTilesLoaded()); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {canvas: !!document.querySelector("#map canvas.maplibregl-canvas"), layers: grid.overlays.length,
          drawn: grid.map.queryRenderedFeatures().length};
}"""


def wait_until_shown(page, site_page) -> None:
    """What each page shows once its scripts have run."""
    if site_page.map:
        drawn = page.evaluate(MAP_DRAWN)
        assert drawn["canvas"] and drawn["layers"] > 0 and drawn["drawn"] > 0, (site_page.name, drawn)
    elif site_page.name == "area-report":
        page.wait_for_selector(".leaflet-interactive")
        assert page.locator(".leaflet-image-layer").count() == 1  # the heat overlay (a data: image)
    elif site_page.name == "admin:assets_building_change":
        page.wait_for_selector("#id_footprint_map canvas")
        page.wait_for_function("() => window.geodjango_footprint && window.geodjango_footprint.ready")
    elif site_page.name == "api-docs":
        page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
        swagger_operation_shown(page, "/api/v1/buildings/")
    elif site_page.name == "person-page":
        assert page.evaluate("[...document.querySelectorAll('.tag')].every((t) => t.style.borderColor)")
    page.wait_for_timeout(200)  # late violations (fonts, images)


@pytest.mark.parametrize("role", ROLES, ids=[str(r) for r in ROLES])
def test_pages_run_under_the_policy(world, live_server, chromium, role):
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    context.add_init_script(LISTEN)
    if role:
        session_login(context, live_server.url, world.users[role])
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and "Content Security Policy" in m.text
            and problems.append("console: " + m.text))
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    try:
        for site_page in (p for p in PAGES if role in p.roles):
            page.goto(live_server.url + site_page.path(world))
            wait_until_shown(page, site_page)
            problems += [f"{site_page.name}: {v}" for v in page.evaluate("window.__csp")]
        if role is None:  # the language menu submits itself (no inline handler)
            page.goto(live_server.url + "/")
            with page.expect_navigation():
                page.select_option("select[name=language]", "en")
            assert page.get_attribute("html", "lang") == "en"
        assert problems == []
    finally:
        context.close()
