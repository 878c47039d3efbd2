"""反映问题 in a real browser on a phone: the cases' report widget on the portal — tap the
map, choose the category, describe, ask for the SMS code (texted through notify to the SMSC
simulator), type it, send — and the receipt with the number and query code replaces the
form; the case is in the normal workflow."""
from __future__ import annotations

import re

import pytest

from incidents.models import Case, CaseSource
from notify import services as notify_services
from notify.models import Notification, State
from tests.helpers import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("browser_page", [{"width": 390, "height": 844}], indirect=True)
def test_a_resident_reports_a_problem_from_a_phone(world, live_server, browser_page, smsc):
    page = browser_page.page
    page.goto(f"{live_server.url}/portal/report/")
    page.wait_for_function("() => window.GridMap && document.querySelector('#map canvas')")
    page.evaluate("() => GridMap.ready")
    page.select_option("#main-category", "environment")
    page.select_option("#category", "garbage")
    box = page.locator("#map").bounding_box()
    # south-west of the district's centre (a corner of four areas): in cell B
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.7)
    page.wait_for_function("() => document.getElementById('lon').value !== ''")
    page.fill("#description", "小区门口垃圾堆放")

    page.fill("#phone", "1391234")
    page.click("#send-code")
    page.wait_for_selector("[data-field=phone]:not([hidden])")  # a bad number, said next to it
    page.fill("#phone", "13912345678")
    page.click("#send-code")
    page.wait_for_selector("#code-status:not([hidden])")
    assert page.inner_text("#code-status") == "验证码已通过短信发送。"
    notification = wait_until(lambda: Notification.objects.filter(state=State.QUEUED).first(), what="the code")
    notify_services.notification_deliver(notification_id=notification.pk)  # the worker's job
    code = re.search(r"\d{6}", smsc.messages[-1].text).group()

    page.fill("#code", "000000" if code != "000000" else "111111")
    page.click("#submit")
    page.wait_for_selector("[data-field=code]:not([hidden])")
    assert Case.objects.count() == 0
    page.fill("#code", code)
    page.click("#submit")
    page.wait_for_selector("#done:not([hidden])")
    case = Case.objects.get()
    assert case.source == CaseSource.PORTAL and case.reporter_phone == "13912345678"
    assert case.cell == world.areas["B"]
    assert page.inner_text("[data-testid=tracking-number]") == case.tracking_number
    page.click("#track-link")
    page.wait_for_selector("[data-testid=track-case]")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert browser_page.outside(live_server.url) == []
