"""The non-map pages and the report/desk pages fit a phone: at 390 and 360 px wide the
document is no wider than the screen (tables scroll in their own box, forms stack)."""
from __future__ import annotations

import pytest

from incidents.models import Case
from tests.helpers import session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [  # (user or None, path, what to wait for)
    ("leader_a", lambda w, c: f"/my-cell/buildings/{w.buildings['bA'].pk}/", "[data-testid=building-name]"),
    ("leader_a", lambda w, c: f"/my-cell/people/{w.people['pA'].pk}/", "[data-testid=person-name]"),
    ("admin", lambda w, c: "/imports/", "[data-testid=import-form]"),
    ("street", lambda w, c: "/quality/", "[data-testid=quality-total]"),
    ("leader_a", lambda w, c: "/cases/report/", "#map canvas"),
    ("leader_a", lambda w, c: "/cases/mine/", "[data-testid=my-case]"),
    ("dispatcher", lambda w, c: "/console/cases/", ".case-row"),
    (None, lambda w, c: f"/track/?number={c.tracking_number}&check={c.tracking_key}", "[data-testid=track-case]"),
]


@pytest.mark.parametrize("width", [390, 360])
def test_pages_are_no_wider_than_a_phone(world, desk, live_server, chromium, width):
    desk.report("leader_a")
    case = Case.objects.get()
    context = chromium.new_context(viewport={"width": width, "height": 844}, locale="zh-CN", has_touch=True,
                                   is_mobile=True)
    page = context.new_page()
    wider = {}
    try:
        for user, path, ready in PAGES:
            page.context.clear_cookies()
            if user:
                session_login(page.context, live_server.url, world.users[user])
            page.goto(live_server.url + path(world, case))
            page.wait_for_selector(ready, state="attached")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                wider[path(world, case)] = scroll
    finally:
        context.close()
    assert wider == {}


def test_quality_area_names_keep_to_one_line(world, live_server, chromium):
    """/quality/ on a phone: an area's name is not squeezed to one character a line."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    try:
        session_login(page.context, live_server.url, world.users["street"])
        page.goto(f"{live_server.url}/quality/")
        links = page.locator("th.area-name a")
        assert links.count() > 0
        heights = [links.nth(i).evaluate(
            "(a) => { const r = document.createRange(); r.selectNodeContents(a); return r.getClientRects().length; }") for i in range(links.count())]
    finally:
        context.close()
    assert set(heights) == {1}  # the text of each on one line
