"""The staff's daily list (今日预约, /services/appointments/): a desk's bookings of a day for
the centre's staff, in Chinese, with one button per mark; another centre's desk is not
offered; grid leaders may not open it; the desk page links to it. In the browser, a tap
on 到场 marks the booking attended."""
from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from services.models import Appointment
from tests.helpers import session_login

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def page(user, **query):
    return signed_in(user).get("/services/appointments/", query)


def test_the_daily_list_of_a_desk(centres, monday, django_assert_max_num_queries):
    world = centres.world
    booking = centres.book(APIClient(), day=monday, hhmm="09:00")
    centres.book(APIClient(), day=monday, hhmm="09:00", centre=centres.c3, phone="13900000003")
    desk = centres.c1.desks.get(number=1)
    client = signed_in(world.users["community"])
    with django_assert_max_num_queries(12):
        response = client.get("/services/appointments/", {"desk": desk.pk, "date": monday.isoformat()})
    text = response.content.decode()
    assert response.status_code == 200
    assert "今日预约" in text and booking["number"] in text and "到场" in text and "未到" in text
    assert "社区三便民服务站" not in text  # another community's centre: no desk offered, no booking shown
    assert page(world.users["leader_a"]).status_code == 403
    assert page(world.users["street"], desk=desk.pk, date=monday.isoformat()).status_code == 200
    desk_page = Client()
    desk_page.force_login(world.users["community"])
    assert b'href="/services/appointments/"' in desk_page.get("/services/desk/").content


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("browser_page", [{"width": 1280, "height": 800}], indirect=True)
def test_marking_attended_in_the_browser(centres, monday, live_server, browser_page):
    booking = centres.book(APIClient(), day=monday, hhmm="09:00")
    desk = centres.c1.desks.get(number=1)
    session_login(browser_page.page.context, live_server.url, centres.world.users["community"])
    browser_page.page.goto(f"{live_server.url}/services/appointments/?desk={desk.pk}&date={monday.isoformat()}")
    browser_page.page.click(f"tr[data-number='{booking['number']}'] button[data-mark=attended]")
    browser_page.page.wait_for_selector(f"tr[data-number='{booking['number']}'] [data-testid=state]:has-text('已到场')")
    assert Appointment.objects.get(number=booking["number"]).state == "attended"
