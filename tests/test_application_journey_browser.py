"""An application's whole journey in headless Chromium on a phone: the community desk files
it with a material missing → prints the one-time notice (一次性告知) → the materials are
supplied → accepted and forwarded to the street's department → the handler approves and
issues the result → the desk records the collection and the applicant's rating (不满意),
which opens a follow-up shown on the desk. Every page passes tests/page_checks.py (no
sideways scrolling, hidden hides, all Chinese), with no console errors and no request
leaving our server."""
from __future__ import annotations

import pytest

from services.models import Application, FollowUp
from tests import page_checks
from tests.helpers import session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, errors: list[str], where: str) -> None:
    # the world's names (居民pA, the users "Community", "Handler") are data, not interface
    problems = (page_checks.overflow(page) + page_checks.hidden_shown(page)
                + page_checks.english_words(page, allow={"pA", "Community", "Handler"}))
    assert problems == [] and errors == [], (where, problems, errors)


@pytest.mark.parametrize("browser_page", [{"width": 390, "height": 844}], indirect=True)
def test_filing_to_rating(service_desk, live_server, browser_page):
    world = service_desk.world
    page = browser_page.page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    session_login(page.context, live_server.url, world.users["community"])
    desk = f"{live_server.url}/services/desk/"

    page.goto(desk)
    page.fill("#person-search", "居民pA")
    page.click("#person-find")
    page.click("#person-results button")
    page.select_option("#item", "elderly_allowance")
    page.check("#checklist li:first-child input")
    page.click("#file-submit")
    page.wait_for_selector("[data-testid=application-number]:not(:empty)")
    number = page.inner_text("[data-testid=application-number]")
    application = Application.objects.get(number=number)
    assert application.state == "correction"
    checked(page, errors, "desk, filed")

    page.goto(live_server.url + page.get_attribute("#notice-link", "href"))
    assert "一次性告知书" in page.inner_text("h1") and "户口簿" in page.inner_text("[data-testid=missing]")
    checked(page, errors, "one-time notice")

    def open_on_desk():
        page.goto(f"{desk}?application={application.pk}")
        page.wait_for_selector(f"#detail-title:has-text('{number}')")

    def act(action: str, state: str):
        page.click(f"#detail-actions button[data-action={action}]")
        page.wait_for_function("(s) => document.getElementById('detail-state').textContent === s",
                               arg=str(dict(Application._meta.get_field("state").flatchoices)[state]))

    from django.utils import translation

    with translation.override("zh-hans"):
        open_on_desk()
        for box in page.query_selector_all("#detail-checklist input"):
            box.check()
        act("supplement", "received")
        act("accept", "accepted")
        act("forward", "forwarded")
        checked(page, errors, "desk, forwarded")

        session_login(page.context, live_server.url, world.users["handler"])
        open_on_desk()
        act("approve", "approved")
        act("issue", "issued")
        checked(page, errors, "desk, handler")

        session_login(page.context, live_server.url, world.users["community"])
        open_on_desk()
        act("collect", "collected")
        page.wait_for_selector("#rate-form:not([hidden])")
        page.select_option("#rate-level", "2")
        page.fill("#rate-comment", "等待时间太长")
        page.click("#rate-submit")
        page.wait_for_selector("[data-testid=rating-shown]:not([hidden])")
        assert "不满意" in page.inner_text("[data-testid=rating-shown]")
        page.wait_for_selector(f"#followup-list li:has-text('{number}')")
        checked(page, errors, "desk, rated")

    application.refresh_from_db()
    assert application.state == "collected" and application.rating.level == 2
    assert FollowUp.objects.get(application=application).state == "open"
    assert browser_page.outside(live_server.url) == []
