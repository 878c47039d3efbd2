"""Bad input to the booking endpoints is a 400 naming the field and the reason, and books
nothing: a missing or malformed phone, an unknown or withdrawn item, a time that is not a
free slot (off the grid, outside the hours, on a holiday), a centre or person outside the
staff's areas, a desk of another centre, a mark that is not one."""
from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from incidents.models import WorkCalendarDay
from services.models import Appointment, ServiceItem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("change", "field"), [
    ({"phone": ""}, "phone"),
    ({"phone": "12345"}, "phone"),
    ({"name": ""}, "name"),
    ({"item": "no_such_item"}, "item"),
    ({"centre": 999999}, "centre"),
    ({"start": "tomorrow"}, "start"),
    ({"hhmm": "09:10"}, "start"),   # off the 30-minute grid
    ({"hhmm": "12:30"}, "start"),   # the lunch break
    ({"hhmm": "17:00"}, "start"),   # closed
])
def test_public_booking_refuses_naming_the_field(centres, monday, change, field):
    body = {"item": "elderly_allowance", "centre": centres.c1.pk, "name": "张三", "phone": "13812345678",
            "start": centres.at(monday, change.pop("hhmm", "09:00")).isoformat(), **change}
    response = APIClient().post("/api/v1/booking/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert not Appointment.objects.exists()


def test_a_holiday_and_a_withdrawn_item_are_refused(centres, monday):
    WorkCalendarDay.objects.create(date=monday, is_workday=False, name="元旦")
    answer = centres.book(APIClient(), day=monday, hhmm="09:00", expect=400)
    assert list(answer) == ["start"]
    ServiceItem.objects.filter(code="senior_card").update(status="withdrawn")
    answer = centres.book(APIClient(), day=monday + dt.timedelta(days=1), hhmm="09:00", item="senior_card",
                          expect=400)
    assert list(answer) == ["item"]


def test_slot_query_names_the_parameter(centres, monday):
    client = APIClient()
    assert list(client.get("/api/v1/booking/slots/").json()) == ["item"]
    too_long = client.get("/api/v1/booking/slots/", {"item": "senior_card", "date_from": monday,
                                                      "date_to": monday + dt.timedelta(days=40)})
    assert too_long.status_code == 400 and list(too_long.json()) == ["date_to"]
    backwards = client.get("/api/v1/booking/slots/", {"item": "senior_card", "date_from": monday,
                                                       "date_to": monday - dt.timedelta(days=1)})
    assert backwards.status_code == 400 and list(backwards.json()) == ["date_to"]
    assert client.get("/api/v1/booking/slots/", {"item": "senior_card", "date_from": "someday"}).status_code == 400


def test_staff_booking_refuses_what_is_outside_their_areas(centres, monday):
    world = centres.world
    client = world.client("community")  # community C1
    path = "/api/v1/appointments/"
    assert list(centres.book(client, day=monday, hhmm="09:00", centre=centres.c3, path=path, expect=400)) == ["centre"]
    answer = centres.book(client, day=monday, hhmm="09:00", path=path, person=world.people["pF"].pk, expect=400)
    assert list(answer) == ["person"]
    other_desk = centres.c3.desks.get()
    answer = centres.book(client, day=monday, hhmm="09:00", path=path, desk=other_desk.pk, expect=400)
    assert list(answer) == ["desk"]
    assert not Appointment.objects.exists()
    booked = centres.book(client, day=monday, hhmm="09:00", path=path, person=world.people["pA"].pk, name="",
                          phone="")
    assert (booked["name"], booked["channel"]) == ("居民pA", "phone")
    response = client.post(f"/api/v1/appointments/{booked['id']}/mark/", {"state": "cancelled"}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["state"]
    assert client.post("/api/v1/appointments/abc/mark/", {"state": "attended"}, format="json").status_code == 400
