"""Each demo role's main journey in Chromium, on a phone (390×844, touch) and a desktop
(1440×900), in Chinese: the signed-out home offers a sign-in; sign in through the form;
``/`` lands on the role's workspace; every page check (tests/page_checks.py) passes there
and on every page of the top bar (on a phone, behind the 菜单 button); the top bar has the
user's name and a sign-out and offers no page the role may not use; then the role's main
action (grid leader: a building from the map and the list, then a room; desk: a report and
its receipt in place of the form; dispatcher: an alert from the queue; handler: a case and
an action; official: heat and hexagon tiles; admin: the home of cards).

A journey goes on after a problem and reports them all at the end, one line each
("<role> <viewport> <page>: <problem>"), so one run lists everything a person would hit.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from tests import page_checks
from tests.helpers import IN_A, otp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1440, "height": 900}},
}
# The world's user of each role and the page ``/`` must send them to.
WORKSPACES = {
    "admin": "/", "street": "/console/official/", "community": "/cases/report/",
    "leader_a": "/my-cell/", "dispatcher": "/console/dispatch/", "handler": "/console/cases/",
}
# Pages a role may not use (issue 14): not offered in its top bar, and a framed 403 if typed in.
NOT_FOR = {"handler": ["/console/official/"], "dispatcher": ["/my-cell/"]}
REFUSED = {"handler": ["/console/official/"]}
# Parts of a page for some roles only: the desk's resident fields on the report page.
SHOWN_ONLY_TO = {"#resident": {"community", "admin", "dispatcher"}}  # the desk, the one number, an admin standing in
# Third-party developer tools, English by design: not checked for English.
ENGLISH_TOOLS = ("/api/",)
# Workspaces that are a map: on a phone the map fills the screen (lists in a bottom sheet).
MAP_WORKSPACES = {"street", "leader_a", "dispatcher", "handler"}
MAX_LINKS = 15  # top-bar pages followed per journey
MENU_BUTTON = "header button:has-text('菜单'), header [aria-label='菜单']"


@dataclass
class Journey:
    page: object
    base: str
    role: str
    size: str
    allow: set[str]
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # the page's own requests answered >= 400

    def watch(self) -> None:
        def response(r):
            request = r.request
            if (r.status >= 400 and r.url.startswith(self.base) and request.resource_type != "document"
                    and not request.headers.get("x-page-check")):
                self.failed.append(f"{r.status} {urlsplit(r.url).path}")

        self.page.on("response", response)
        self.page.on("pageerror", lambda e: self.errors.append(str(e).splitlines()[0][:200]))

    @property
    def phone(self) -> bool:
        return self.size == "phone"

    def where(self) -> str:
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def report(self, where: str, problems: list[str]) -> None:
        self.problems += [f"{where}: {p}" for p in problems]

    @contextmanager
    def step(self, name: str):
        """A step that fails is reported and the journey goes on."""
        try:
            yield
        except Exception as error:  # noqa: BLE001 — every failure is a finding
            first = str(error).strip().splitlines()[0] if str(error).strip() else ""
            self.problems.append(f"{self.where()}: {name} failed ({type(error).__name__}: {first[:200]})")
            if os.environ.get("JOURNEY_SHOTS"):  # a directory: what the page looked like when the step failed
                slug = re.sub(r"\W+", "_", name)
                shot = Path(os.environ["JOURNEY_SHOTS"]) / f"{self.role}-{self.size}-{slug}.png"
                self.page.screenshot(path=str(shot))
                self.problems.append(f"  (screenshot {shot})")

    def press(self, locator) -> None:
        locator.tap() if self.phone else locator.click()

    def press_at(self, x: float, y: float) -> None:
        self.page.touchscreen.tap(x, y) if self.phone else self.page.mouse.click(x, y)

    def goto(self, path: str):
        if self.page.url.startswith(self.base):
            self.flush()  # what went wrong on the page being left
        response = self.page.goto(self.base + path)
        settle(self.page)
        return response

    def check_page(self, *, links: bool = True) -> None:
        """Every page check on the page as it is now."""
        page, where = self.page, self.where()
        self.report(where, page_checks.overflow(page))
        self.report(where, page_checks.hidden_shown(page))
        if not where.startswith(ENGLISH_TOOLS):
            self.report(where, page_checks.english_words(page, allow=self.allow))
        self.report(where, page_checks.raw_popup_values(page))
        if links:
            self.report(where, page_checks.dead_links(page))
        for selector, roles in SHOWN_ONLY_TO.items():
            if self.role not in roles and page.locator(selector).first.is_visible():
                self.report(where, [f"{selector} is shown to the {self.role}"])
        self.flush()

    def flush(self) -> None:
        """Report the script errors and failed requests of the page so far (tiles counted
        together: 403 /tiles/heat/people/{z}/{x}/{y}.png ×36)."""
        where = self.where()
        self.report(where, [f"script error: {e}" for e in dict.fromkeys(self.errors)])
        failed: dict[str, int] = {}
        for f in self.failed:
            key = re.sub(r"/\d+/\d+/\d+\.", "/{z}/{x}/{y}.", f)
            failed[key] = failed.get(key, 0) + 1
        self.report(where, [f"a request of the page answers {f}" + (f" ×{n}" if n > 1 else "") for f, n in failed.items()])
        self.errors.clear()
        self.failed.clear()


def settle(page) -> None:
    """Wait until the page has drawn what it loads by itself: its map (when it has one) and
    its first requests. A page with a live stream never goes idle: bounded waits."""
    page.wait_for_load_state("load")
    if page.locator("#map").count():
        page.wait_for_selector("#map canvas", timeout=15000)
        page.wait_for_function("() => !window.GridMap || !GridMap.ready || GridMap.ready.then(() => true)",
                               timeout=15000)
    try:
        page.wait_for_load_state("networkidle", timeout=4000)
    except Exception:  # noqa: BLE001 — a live stream keeps the network busy
        pass


def sign_in(journey: Journey, user) -> None:
    """Signed out, the home page offers a sign-in; the form (and the code, for the roles
    that need one) signs the user in."""
    from signin.selectors import otp_needed_for

    page = journey.page
    journey.goto("/")
    journey.check_page(links=False)  # signed out, pages lead to the sign-in: that is right
    link = page.locator("a[href*='login'], a[href*='signin'], a:has-text('登录')").filter(visible=True)
    menu = page.locator(MENU_BUTTON).filter(visible=True)
    if not link.count() and menu.count():  # on a phone it may be behind 菜单
        journey.press(menu.first)
    if link.count():
        with page.expect_navigation():
            journey.press(link.first)
        settle(page)
    else:
        journey.report("/ (signed out)", ["no sign-in link on the home page"])
        journey.goto("/admin/login/?next=/")
    journey.check_page(links=False)
    code = otp_code(user) if otp_needed_for(user) else None
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", f"pw-{user.username}")
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    if code:
        page.wait_for_selector("input[name=code]")
        page.fill("input[name=code]", code)
        with page.expect_navigation():
            page.press("input[name=code]", "Enter")
    assert "login" not in page.url and "signin" not in page.url, f"still signing in at {page.url}"


def open_menu(journey: Journey) -> None:
    """On a phone the top bar folds into a 菜单 button."""
    button = journey.page.locator(MENU_BUTTON).filter(visible=True)
    if button.count():
        journey.press(button.first)
    elif journey.phone:
        journey.report(journey.where(), ["no 菜单 button in the top bar on the phone"])


def topbar_links(journey: Journey) -> list[str]:
    """Same-origin pages the top bar links to (visible, after opening the menu)."""
    hrefs = journey.page.evaluate("""() => [...document.querySelectorAll('header a[href]')]
        .filter((a) => a.checkVisibility({checkVisibilityCSS: true}))
        .map((a) => new URL(a.href)).filter((u) => u.origin === location.origin && !/sign-?out|log-?out/i.test(u.pathname))
        .map((u) => u.pathname + u.search)""")
    return list(dict.fromkeys(hrefs))


def check_topbar(journey: Journey, user) -> list[str]:
    page, where = journey.page, journey.where()
    open_menu(journey)
    header = page.locator("header").first.inner_text() if page.locator("header").count() else ""
    if "退出登录" not in header:
        journey.report(where, ["no 退出登录 (sign-out) in the top bar"])
    if (user.name or user.username) not in header:
        journey.report(where, [f"the user's name {user.name!r} is not in the top bar"])
    links = topbar_links(journey)
    if len([link for link in links if link != "/"]) == 0:
        journey.report(where, ["the top bar links to no page of the role"])
    for path in NOT_FOR.get(journey.role, []):
        if path in links:
            journey.report(where, [f"the top bar offers {path}, which this role may not use"])
    return links


def follow(journey: Journey, paths: list[str], *, note: str) -> None:
    """Open each page, run the checks there; an error page must be framed with a way back."""
    for path in paths[:MAX_LINKS]:
        with journey.step(f"open {path} ({note})"):
            response = journey.goto(path)
            status = response.status if response else 0
            if status >= 400:
                journey.report(path, [f"{note} leads to an error page ({status})"] + page_checks.way_back(journey.page))
            journey.check_page(links=False)


# --------------------------------------------------------------------------- the roles' main actions

def map_object(page):
    """Make the page's MapLibre map reachable as window.__map (GridMap keeps it)."""
    page.evaluate("GridMap.ready.then((g) => { window.__map = g.map; })")
    page.wait_for_function("() => window.__map && __map.loaded() && !__map.isMoving()", timeout=20000)


def press_on_map(journey: Journey, lon: float, lat: float, zoom: int = 17) -> None:
    page = journey.page
    map_object(page)
    # as a user would, first put the bottom sheet down (phones) so the spot is not under it
    page.evaluate("window.MapSheet && MapSheet.setState('collapsed')")
    page.evaluate(f"__map.jumpTo({{center: [{lon}, {lat}], zoom: {zoom}}})")
    page.wait_for_function("() => __map.loaded() && __map.areTilesLoaded() && !__map.isMoving()", timeout=20000)
    x, y = page.evaluate(f"(() => {{ const p = __map.project([{lon}, {lat}]); return [p.x, p.y]; }})()")
    box = page.locator("#map").bounding_box()
    journey.press_at(box["x"] + x, box["y"] + y)


def check_popup(journey: Journey, lon: float, lat: float, what: str) -> None:
    with journey.step(f"open the popup of {what} on the map"):
        press_on_map(journey, lon, lat)
        journey.page.wait_for_selector(".maplibregl-popup", timeout=10000)
        popup = journey.page.locator(".maplibregl-popup")
        journey.report(journey.where() + f" popup of {what}",
                       page_checks.raw_popup_values(journey.page) + page_checks.popup_cut(journey.page)
                       + page_checks.english_words(journey.page, within=".maplibregl-popup", allow=journey.allow)
                       + ([f"{popup.count()} popups open at once"] if popup.count() > 1 else []))


def reveal(journey: Journey, selector: str):
    """The element, made visible: on a phone it may sit in a closed bottom sheet."""
    page = journey.page
    target = page.locator(selector).first
    handle = page.locator(".map-page .sheet-handle")
    for _ in range(3):  # collapsed → half → full
        if target.is_visible() or not handle.is_visible():
            break
        journey.press(handle)
        page.wait_for_timeout(300)  # the sheet's transition
    target.wait_for(state="visible", timeout=5000)
    return target


def leader_journey(journey: Journey, world, **_) -> None:
    page, building = journey.page, world.buildings["bA"]
    centre = building.footprint.centroid
    check_popup(journey, centre.x, centre.y, "building 楼bA")
    with journey.step("open building 楼bA from the list"):
        if page.locator(".maplibregl-popup-close-button").count():
            page.locator(".maplibregl-popup-close-button").first.click()
        page.wait_for_selector("[data-testid=building-list] li", state="attached", timeout=10000)
        journey.press(reveal(journey, "[data-testid=building-list] a:has-text('楼bA')"))
        page.wait_for_selector("[data-testid=building-name]", timeout=10000)
        settle(page)
        journey.check_page()
    with journey.step("choose room 302"):
        # The room's number: the rest of the cell links to its residents.
        journey.press(page.locator(f"td.room[data-house='{world.houses['hA'].pk}'] strong"))
        page.wait_for_selector("#move-in", state="visible", timeout=5000)
        journey.check_page(links=False)


def desk_journey(journey: Journey, world, **_) -> None:
    page = journey.page
    with journey.step("report a case at the desk"):
        if not page.locator("#resident").is_visible():
            journey.report(journey.where(), ["the desk's resident fields are not shown to the desk"])
        page.select_option("#main-category", "environment")
        page.select_option("#category", "garbage")
        map_object(page)
        page.evaluate(f"__map.jumpTo({{center: [{IN_A[0]}, {IN_A[1]}]}})")
        box = page.locator("#map").bounding_box()
        journey.press_at(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.fill("#description", "居民反映楼下垃圾堆放")
        page.fill("#reporter-name", "张三")
        page.fill("#reporter-phone", "13811112222")
        journey.press(page.locator("#submit"))
        page.wait_for_selector("[data-testid=tracking-number]:not(:empty)", timeout=10000)
    with journey.step("see the receipt in place of the form"):
        if page.locator("#report-form").is_visible():
            submit = page.locator("#submit")
            state = "enabled" if submit.is_visible() and submit.is_enabled() else "disabled"
            journey.report(journey.where(), [f"the filled form stays under the receipt (提交 {state})"])
        assert page.locator("[data-testid=tracking-number]").is_visible(), "the receipt is not shown"
        journey.check_page(links=False)


def dispatcher_journey(journey: Journey, world, elders, **_) -> None:
    page = journey.page
    with journey.step("see the alert in the queue and open it"):
        row = page.locator("#alert-queue li[data-kind=sos]").first
        row.wait_for(timeout=15000)
        queue = page.inner_text("#alert-queue")
        if re.search(r"\d[\d,]{3,}\s*天前", queue):
            journey.report(journey.where(), [f"a wrong device clock reads as an age: {queue[:120]!r}"])
        first = page.locator("#alert-queue li").first.get_attribute("data-kind")
        if first not in ("sos", "fall"):
            journey.report(journey.where(), [f"the queue starts with a {first} alert, not the SOS"])
        journey.press(row)
        page.wait_for_function("() => document.querySelector('#alert-detail').dataset.alertId", timeout=10000)
        detail = page.locator("#alert-detail")
        assert detail.is_visible(), "the alert's detail is not shown"
        assert "居民pA" in detail.inner_text(), "the detail does not name the elder"
        if not journey.phone:
            viewport = page.viewport_size["height"]
            for part in ("#detail-contacts", "#detail-responders"):
                box = page.locator(part).bounding_box()
                if box is None or box["y"] > viewport:
                    journey.report(journey.where(), [f"{part} is below the fold"])
        journey.check_page(links=False)


def handler_journey(journey: Journey, world, case, **_) -> None:
    page = journey.page
    number = case["properties"]["tracking_number"]
    with journey.step("the queue's filters name their choices"):
        for select in page.locator("#filters select").all():
            if select.is_visible() and select.evaluate("(s) => s.selectedOptions[0]?.textContent.trim()") in ("—", "", None):
                journey.report(journey.where(), [f"filter #{select.get_attribute('id')} shows only '—'"])
    with journey.step("open a case and choose an action"):
        row = reveal(journey, f".case-row:has-text('{number}')")
        journey.press(row)
        page.wait_for_function("(n) => document.getElementById('detail-number').textContent === n", arg=number,
                               timeout=10000)
        journey.check_page(links=False)
        journey.press(page.locator("#detail-actions button[data-action=accept]"))
        page.wait_for_function("() => document.getElementById('detail-status').textContent === '处理中'",
                               timeout=10000)


def official_journey(journey: Journey, world, heat_responses, **_) -> None:
    page = journey.page
    with journey.step("heat tiles answer 200 and hexagons draw"):
        map_object(page)
        reveal(journey, "#heat-hex")
        journey.press(page.locator("#heat-hex"))
        page.wait_for_function("""() => __map.getStyle().layers.some((l) => l.id.startsWith('heat-hex')
            && __map.queryRenderedFeatures({layers: [l.id]}).length > 0)""", timeout=15000)
    bad = [f"{status} {urlsplit(url).path}" for url, status in heat_responses if status >= 300]  # 204: no one there
    if not heat_responses:
        journey.report(journey.where(), ["no heat tile requested"])
    if bad:
        journey.report(journey.where(), [f"{len(bad)} heat tiles failed, e.g. {bad[0]}"])
    if not any("/hex/" in url for url, _ in heat_responses):
        journey.report(journey.where(), ["no hexagon tile requested"])
    centre = world.buildings["bA"].footprint.centroid
    check_popup(journey, centre.x, centre.y, "building 楼bA")


def admin_journey(journey: Journey, world, **_) -> None:
    """The district admin's workspace is the home of cards: every card opens."""
    cards = journey.page.evaluate("""() => [...document.querySelectorAll('main a[href]')]
        .map((a) => new URL(a.href)).filter((u) => u.origin === location.origin).map((u) => u.pathname + u.search)""")
    follow(journey, list(dict.fromkeys(cards)), note="a home card")


MAIN_ACTIONS = {"admin": admin_journey, "street": official_journey, "community": desk_journey,
                "leader_a": leader_journey, "dispatcher": dispatcher_journey, "handler": handler_journey}


def prepare(role: str, world, request) -> dict:
    """The records each role's main action needs."""
    if role == "dispatcher":
        from iot.models import Alert, Terminal

        elders = request.getfixturevalue("elders")
        now = timezone.now()
        for key, kind, raised in (("pA", "sos", now), ("pF", "low_battery", dt.datetime(2017, 1, 1, tzinfo=dt.UTC))):
            lon, lat = elders.home(key)
            Terminal.objects.filter(pk=elders.terminals[key].pk).update(
                last_position=Point(lon, lat, srid=4326), last_seen_at=now, last_fix_at=now, last_accuracy_m=10,
                battery=80)
            # pF's device clock says 2017: it must not read as thousands of days old.
            Alert.objects.create(terminal=elders.terminals[key], person=world.people[key], kind=kind,
                                 area=world.areas["A" if key == "pA" else "F"], position=Point(lon, lat, srid=4326),
                                 accuracy_m=10, raised_at=raised, received_at=now, last_report_at=now)
        return {"elders": elders}
    if role == "handler":
        desk = request.getfixturevalue("desk")
        return {"case": desk.advance(desk.report(), "dispatched")}
    return {}


@pytest.mark.parametrize("size", list(VIEWPORTS))
@pytest.mark.parametrize("role", list(WORKSPACES))
def test_role_journey(role, size, world, live_server, chromium, request):
    extra = prepare(role, world, request)
    user = world.users[role]
    context = chromium.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **VIEWPORTS[size])
    page = context.new_page()
    page.set_default_timeout(10000)
    heat_responses: list[tuple[str, int]] = []
    page.on("response", lambda r: "/tiles/heat/" in r.url and heat_responses.append((r.url, r.status)))
    # The world's own words (users' names, the keys in its records' names: 楼bA, 居民pA) are data.
    names = ({u.name for u in world.users.values() if u.name} | {u.username for u in world.users.values()}
             | set(world.buildings) | set(world.people))
    journey = Journey(page, live_server.url, role, size, allow=names)
    journey.watch()
    try:
        with journey.step("sign in"):
            sign_in(journey, user)
        journey.goto("/")
        landed = journey.where()
        if landed != WORKSPACES[role]:
            journey.report("/", [f"lands on {landed}, not the role's workspace {WORKSPACES[role]}"])
            journey.check_page()  # what the role sees there instead
            journey.goto(WORKSPACES[role])
        journey.check_page()
        with journey.step("the site's icon"):  # the browser asks for it on every page
            icon = page.evaluate("""() => fetch(document.querySelector('link[rel~=icon]')?.href || '/favicon.ico',
                                          {headers: {'X-Page-Check': '1'}}).then((r) => [r.url, r.status])""")
            if icon[1] >= 400:
                journey.report(journey.where(), [f"the site's icon {urlsplit(icon[0]).path} answers {icon[1]}"])
        if size == "phone" and role in MAP_WORKSPACES:
            with journey.step("the map fills the phone's screen"):
                height = page.locator("#map").bounding_box()["height"]
                if height < VIEWPORTS["phone"]["viewport"]["height"] / 2:
                    journey.report(journey.where(), [f"the map is {height:.0f}px high on an 844px screen"])
        links = check_topbar(journey, user)
        workspace = journey.where()
        follow(journey, [link for link in links if link != workspace], note="a top-bar link")
        for path in REFUSED.get(role, []):
            with journey.step(f"refused {path}"):
                response = journey.goto(path)
                if response.status != 403:
                    journey.report(path, [f"answers {response.status} to a role that may not use it (want 403)"])
                journey.report(path, page_checks.way_back(page) + page_checks.english_words(page, allow=names))
        heat_responses.clear()
        journey.goto(WORKSPACES[role])
        MAIN_ACTIONS[role](journey, world, heat_responses=heat_responses, **extra)
        journey.flush()
    finally:
        context.close()
    problems = list(dict.fromkeys(journey.problems))
    assert not problems, f"{role} on the {size}:\n" + "\n".join(problems)
