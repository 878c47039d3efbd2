"""The staff's pages in headless Chromium, in Chinese, at 1280×800 and 390×844: a community
worker drafts a notice for their community, previews how many people and phones it
reaches, saves and submits it; the street official sees the same reach before approving
and approves; who has not read it is listed. No request leaves our server."""
from __future__ import annotations

import pytest

from notices.models import Notice
from tests import page_checks
from tests.helpers import session_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page) -> list[str]:
    return page_checks.overflow(page) + page_checks.hidden_shown(page) + page_checks.english_words(
        page, allow={"CAP", "Community", "Street", "Leader", "A", "B"})  # the world's user names


@pytest.mark.parametrize("browser_page", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
                         indirect=True)
def test_draft_preview_submit_approve(world, live_server, browser_page):
    page = browser_page.page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    session_login(page.context, live_server.url, world.users["community"])
    page.goto(f"{live_server.url}/notices/")
    page.wait_for_selector("#notice-form[data-ready]")
    page.fill("input[name=title]", "停水通知")
    page.fill("textarea[name=body]", "明日8:00-12:00停水，请提前储水。")
    page.check("input[name=target_areas][value='530103001001']")
    page.click("#preview")
    page.wait_for_selector("[data-testid=reach]:visible")
    assert page.inner_text("[data-testid=reach]").startswith("2 ")  # pA and pB
    assert checked(page) == []
    page.click("#save")
    page.wait_for_url("**/notices/*/")
    notice = Notice.objects.get()
    assert page.inner_text("[data-testid=reach-people]") == "2"
    page.wait_for_selector("#notice-actions[data-ready]")
    page.click("button[data-action=submit]")
    page.wait_for_function("() => document.querySelector('[data-testid=status]').textContent.includes('待审核')")
    page.wait_for_load_state("networkidle")  # the reloaded page's own requests, before signing out

    page.context.clear_cookies()
    session_login(page.context, live_server.url, world.users["street"])
    page.goto(f"{live_server.url}/notices/{notice.pk}/")
    page.wait_for_selector("#notice-actions[data-ready]")
    assert page.inner_text("[data-testid=reach-phones]") == "2"
    assert checked(page) == []
    page.click("button[data-action=approve]")
    page.wait_for_function("() => document.querySelector('[data-testid=status]').textContent.includes('已发布')")
    notice.refresh_from_db()
    assert (notice.status, notice.phone_count) == ("approved", 2)
    assert browser_page.outside(live_server.url) == []
    assert errors == []


@pytest.mark.parametrize("browser_page", [{"width": 390, "height": 844}], indirect=True)
def test_who_has_not_read_it(world, live_server, browser_page):
    from notify.services import inbox_mark_read
    from tests.fixtures.notices import notice_body, notice_publish

    notice = notice_publish(world, notice_body(to_staff=True))
    from notices.services import notice_chunk_send
    from notify.models import Notification

    ids = list(Notification.objects.filter(subject_id=notice["id"], channel="inbox").values_list("id", flat=True))
    notice_chunk_send(notice_id=notice["id"], first_id=min(ids), last_id=max(ids), rate=1000)
    inbox_mark_read(user=world.users["leader_b"])
    page = browser_page.page
    session_login(page.context, live_server.url, world.users["community"])
    page.goto(f"{live_server.url}/notices/{notice['id']}/unread/")
    unread = page.inner_text("[data-testid=unread] tbody")
    assert "Community" in unread and "Leader_A" in unread and "Leader_B" not in unread
    assert "Leader_B" in page.inner_text("[data-testid=read] tbody")
    assert checked(page) == []
