"""A grid leader on a phone (390×844, Chinese) opens the notification settings from the
inbox, goes on duty, chooses SMS for case deadlines and nothing for follow-ups; e-mail
cannot be ticked without an address. The page fits, hides what is hidden, shows no
English and raises no script error."""
from __future__ import annotations

import pytest

from notify.models import ChannelChoice
from tests import page_checks
from tests.helpers import session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("browser_page", [{"width": 390, "height": 844}], indirect=True)
def test_a_grid_leader_chooses_channels_and_goes_on_duty_on_a_phone(world, live_server, browser_page):
    leader = world.users["leader_a"]
    leader.phone = "13500000001"
    leader.save()
    page = browser_page.page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    session_login(page.context, live_server.url, leader)
    page.goto(f"{live_server.url}/inbox/")
    page.click("[data-testid=settings-link]")
    page.wait_for_selector("#notify-settings")
    assert page.inner_text("h1") == "通知设置"
    deadline = page.locator("fieldset[data-kind=case_deadline]")
    assert "案件即将超期、已超期或被督办" in deadline.inner_text()
    assert deadline.locator("input[value=email]").is_disabled()
    assert "无电子邮箱" in deadline.inner_text()
    problems = (page_checks.overflow(page) + page_checks.hidden_shown(page) + page_checks.english_words(page)
                + page_checks.dead_links(page))
    page.check("#on-duty")
    deadline.locator("input[value=sms]").check()
    page.locator("fieldset[data-kind=followup] input[value=inbox]").uncheck()
    page.click("#notify-settings button[type=submit]")
    page.wait_for_selector("[data-testid=saved]")
    assert page.is_checked("#on-duty")
    assert page.locator("fieldset[data-kind=case_deadline] input[value=sms]").is_checked()
    problems += page_checks.overflow(page) + page_checks.hidden_shown(page) + page_checks.english_words(page)
    assert not problems, problems
    assert not errors, errors
    assert browser_page.outside(live_server.url) == []
    leader.refresh_from_db()
    assert leader.on_duty is True
    chosen = dict(ChannelChoice.objects.filter(user=leader).values_list("kind", "channels"))
    assert chosen["case_deadline"] == ["inbox", "sms"] and chosen["followup"] == []
    assert chosen["case_dispatched"] == ["inbox"]
