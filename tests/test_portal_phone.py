"""The portal on a phone and a desktop in a real browser: every page passes the page checks
(tests/page_checks.py: nothing wider than the screen, `hidden` hides, no English under
Chinese, no dead links, no script errors), and a resident on a phone reads an item and
tracks their application by number."""
from __future__ import annotations

import pytest

from services.models import Application
from tests import page_checks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/portal/", "/portal/items/", "/portal/items/elderly_allowance/", "/portal/items/?event=elderly",
         "/portal/track/", "/portal/report/", "/portal/notices/", "/portal/mine/", "/portal/book/", "/services/rate/"]


def check_page(page, url: str, errors: list[str]) -> list[str]:
    del errors[:]
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    problems = [f"status {response.status}"] if response.status >= 400 else []
    problems += page_checks.overflow(page) + page_checks.hidden_shown(page) + page_checks.english_words(page)
    problems += page_checks.dead_links(page)
    problems += list(errors)
    return problems


@pytest.mark.parametrize("browser_page", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}],
                         indirect=True)
def test_every_portal_page_passes_the_checks(service_desk, live_server, browser_page):
    application = Application.objects.get(pk=service_desk.file()["id"])
    page = browser_page.page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"script error: {error}"))
    # Failed requests by URL (the page checks' own fetches of links are marked and left out:
    # dead_links reports those); console errors other than the browser's "failed to load".
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and "x-page-check" not in r.request.headers else None)
    page.on("console", lambda m: errors.append(f"console: {m.text}")
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    found = {}
    for path in [*PAGES, f"/portal/track/?number={application.number}&check={application.tracking_key}"]:
        problems = check_page(page, live_server.url + path, errors)
        if problems:
            found[path] = problems
    assert found == {}
    assert browser_page.outside(live_server.url) == []  # nothing from the internet


@pytest.mark.parametrize("browser_page", [{"width": 390, "height": 844}], indirect=True)
def test_a_resident_reads_an_item_and_tracks_an_application_on_a_phone(service_desk, live_server, browser_page):
    application = Application.objects.get(pk=service_desk.file()["id"])
    page = browser_page.page
    page.goto(f"{live_server.url}/portal/")
    tabs = page.locator(".portal-tabs a")
    assert tabs.all_inner_texts() == ["办事指南", "查询进度", "反映问题", "通知公告", "我的办件"]
    for box in (tabs.nth(i).bounding_box() for i in range(5)):
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 390

    page.click("text=养老服务")
    page.click("text=高龄津贴申领")
    assert page.inner_text("[data-testid=item-name]") == "高龄津贴申领"
    assert page.inner_text("[data-testid=promised-days]") == "10 个工作日"
    assert page.inner_text("[data-testid=fee]") == "不收费"
    materials = page.locator("[data-testid=material]").all_inner_texts()
    assert materials[0].startswith("申请人居民身份证") and "必需" in materials[0]
    assert "委托他人代办时" in materials[-1]

    page.click(".portal-tabs >> text=查询进度")
    page.fill("input[name=number]", application.number)
    page.fill("input[name=check]", "1111")  # pA's phone ends in 1111
    page.click("button[type=submit]")
    result = page.locator("[data-testid=track-application]")
    result.wait_for()
    assert "高龄津贴申领" in result.inner_text() and application.number in result.inner_text()
    assert page.locator("[data-testid=track-step]").count() == 1
    assert page_checks.overflow(page) == [] and page_checks.english_words(page) == []
