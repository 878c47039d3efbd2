"""The pages in headless Chromium: a grid leader reports a case on a phone (a tap on the map,
categories, a photo, the nearby case shown), then the desk files, dispatches, handles,
verifies and closes it; public tracking; all with no request leaving our server."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from incidents.models import Case
from tests.helpers import session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (90, 140, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def desk_act(page, action: str, status_text: str, note: str = "") -> None:
    if note:
        page.fill("#act-note", note)
    page.click(f"#detail-actions button[data-action={action}]")
    send = page.locator(f"#detail-actions button[data-send={action}]")  # an action with fields: then send
    if send.count():
        send.click()
    page.wait_for_function("(t) => document.getElementById('detail-status').textContent === t", arg=status_text)


@pytest.mark.parametrize("browser_page", [PHONE], indirect=True)
def test_report_on_a_phone_then_handle_it_on_the_desk(world, desk, live_server, browser_page):
    page = browser_page.page
    # An open case of the same category a few metres from where the leader will tap.
    earlier = desk.report("leader_a", category="garbage", at=(102.7075, 25.0151))
    session_login(page.context, live_server.url, world.users["leader_a"])
    page.goto(f"{live_server.url}/cases/report/")
    page.wait_for_function("() => window.GridMap && document.querySelector('#map canvas')")
    page.evaluate("() => GridMap.ready")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # fits the phone
    page.select_option("#main-category", "environment")
    page.select_option("#category", "garbage")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the cell's centre
    page.wait_for_selector("#nearby-list li.same")
    assert earlier["properties"]["tracking_number"] in page.inner_text("#nearby-list")
    page.fill("#description", "楼下垃圾堆放三天无人清运")
    page.set_input_files("#photos", files=[{"name": "spot.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    page.click("#submit")
    page.wait_for_selector("[data-testid=tracking-number]:not(:empty)")
    number = page.inner_text("[data-testid=tracking-number]")
    key = page.inner_text("[data-testid=tracking-key]")  # on the receipt, with the number
    case = Case.objects.get(tracking_number=number)
    assert (case.cell_id, case.source, case.category.code, case.attachments.count()) == (
        world.areas["A"].pk, "grid_leader", "garbage", 1)
    page.goto(f"{live_server.url}/cases/mine/")
    assert number in page.inner_text("[data-testid=my-cases]")

    # The desk (a desktop screen): dispatcher files and dispatches, the department
    # handles and reports back, the dispatcher verifies and closes.
    page.set_viewport_size({"width": 1280, "height": 800})
    for user, steps in (
        ("dispatcher", [("file", "已立案", ""), ("dispatch", "已派遣", "")]),
        ("handler", [("accept", "处理中", ""), ("report_back", "已反馈", "已清运完毕")]),
        ("dispatcher", [("close", "已结案", "")]),
    ):
        page.context.clear_cookies()
        session_login(page.context, live_server.url, world.users[user])
        page.goto(f"{live_server.url}/console/cases/")
        page.wait_for_selector(f".case-row:has-text('{number}')")
        page.click(f".case-row:has-text('{number}')")
        page.wait_for_function("(n) => document.getElementById('detail-number').textContent === n", arg=number)
        for action, status_text, note in steps:
            desk_act(page, action, status_text, note)
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_on_time and case.department.code == "sanitation"
    assert list(case.events.values_list("action", flat=True)) == [
        "report", "file", "dispatch", "accept", "report_back", "close"]
    timeline = page.inner_text("#detail-timeline")
    assert "已清运完毕" in timeline and "Handler" in timeline

    # Anyone can follow it by its number; the timeline carries no names.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/track/?number={number}&check={key}")
    track = page.inner_text("[data-testid=track-case]")
    assert "已结案" in track and "Handler" not in track and "Leader" not in track
    assert browser_page.outside(live_server.url) == []


def test_desk_shows_a_conflict_and_the_fresh_case(world, desk, live_server, browser_page):
    page = browser_page.page
    case = desk.advance(desk.report(), "filed")
    session_login(page.context, live_server.url, world.users["dispatcher"])
    page.goto(f"{live_server.url}/console/cases/")
    page.click(f".case-row[data-id='{case['id']}']")
    page.wait_for_selector("#detail-actions button[data-action=dispatch]")
    desk.act("admin", case, "suspend", note="另一人挂起")  # meanwhile, someone else acts
    page.click("#detail-actions button[data-action=dispatch]")
    page.click("#detail-actions button[data-send=dispatch]")
    page.wait_for_selector("#act-message:not([hidden])")
    assert "changed" in page.inner_text("#act-message") or "已" in page.inner_text("#act-message")
    assert page.inner_text("#detail-status") == "已挂起"
    assert Case.objects.get(pk=case["id"]).status == "suspended"
