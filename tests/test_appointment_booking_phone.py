"""A resident books on a phone (390×844, Chinese, no sign-in): the item comes preselected
from the link (?item=), they pick the day and a free time of a centre, give name and phone
and get the booking number — stored with the slot they chose. The page fits the screen,
hides what is hidden, shows no English, raises no script error and asks nothing of another
server."""
from __future__ import annotations

import pytest

from services.models import Appointment
from tests import page_checks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("browser_page", [{"width": 390, "height": 844}], indirect=True)
def test_a_resident_books_on_a_phone(centres, monday, live_server, browser_page):
    page = browser_page.page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/portal/book/?item=elderly_allowance")
    assert page.input_value("#book-item") == "elderly_allowance"
    page.fill("#book-date", monday.isoformat())
    page.dispatch_event("#book-date", "change")
    page.wait_for_selector("#book-slots button.slot")
    assert page.locator(".slot-centre h3").all_inner_texts() == ["社区一便民服务站", "社区三便民服务站"]
    problems = (page_checks.overflow(page) + page_checks.hidden_shown(page) + page_checks.english_words(page)
                + page_checks.dead_links(page))
    page.locator(".slot-centre", has_text="社区一便民服务站").locator("button.slot", has_text="10:30").click()
    page.fill("#book-name", "李四")
    page.fill("#book-phone", "139 0000 1234")
    page.click("#book-submit")
    page.wait_for_selector("[data-testid=booking-number]:not(:empty)")
    number = page.inner_text("[data-testid=booking-number]")
    booking = Appointment.objects.select_related("centre").get(number=number)
    assert (booking.centre, booking.name, booking.phone, booking.channel, booking.state) == (
        centres.c1, "李四", "13900001234", "portal", "booked")
    assert booking.starts_at == centres.at(monday, "10:30")
    assert page.is_hidden("#book-card") and "预约成功" in page.inner_text("#book-done")
    assert f"{monday.isoformat()} 10:30–11:00" in page.inner_text("#done-time")
    problems += page_checks.overflow(page) + page_checks.hidden_shown(page) + page_checks.english_words(page)
    assert not problems, problems
    assert not errors, errors
    assert browser_page.outside(live_server.url) == []
