"""Free slots follow each centre's weekly hours on the district's working days: a public
holiday closes the centres, a worked weekend day (调休) opens them with Monday's hours, a
weekend stays closed; a booked desk is not free, a cancelled booking frees it again."""
from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from incidents.models import WorkCalendarDay
from services.appointment_selectors import free_slots
from services.models import Appointment, ServiceItem

pytestmark = pytest.mark.django_db

DAY = [f"{h:02d}:{m:02d}" for h, m in ((9, 0), (9, 30), (10, 0), (10, 30), (11, 0), (11, 30),
                                       (13, 30), (14, 0), (14, 30), (15, 0), (15, 30), (16, 0), (16, 30))]


def times(slots, centre) -> list[str]:
    return [f"{s.starts_at.astimezone(dt.timezone(dt.timedelta(hours=8))):%H:%M}" for s in slots
            if s.centre_id == centre.pk]


def test_a_working_day_is_cut_into_slots_within_the_hours(centres, monday):
    allowance = ServiceItem.objects.get(code="elderly_allowance")
    slots = free_slots(item=allowance, date_from=monday, date_to=monday)
    assert times(slots, centres.c1) == DAY and times(slots, centres.c3) == DAY
    assert {s.free for s in slots if s.centre_id == centres.c1.pk} == {2}  # both desks handle it
    senior = ServiceItem.objects.get(code="senior_card")
    assert {s.free for s in free_slots(item=senior, date_from=monday, date_to=monday,
                                       centres=[centres.c1.pk])} == {1}  # desk 1 only


def test_the_working_calendar_closes_and_opens_the_centres(centres, monday):
    allowance = ServiceItem.objects.get(code="elderly_allowance")
    saturday, sunday, tuesday = monday + dt.timedelta(days=5), monday + dt.timedelta(days=6), monday + dt.timedelta(1)
    WorkCalendarDay.objects.create(date=tuesday, is_workday=False, name="国庆节")
    WorkCalendarDay.objects.create(date=saturday, is_workday=True, name="国庆调休")
    slots = free_slots(item=allowance, date_from=monday, date_to=sunday, centres=[centres.c1.pk])
    days = {s.starts_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date() for s in slots}
    assert tuesday not in days and sunday not in days
    assert saturday in days
    assert times([s for s in slots if s.starts_at.date() == saturday], centres.c1) == DAY  # Monday's hours


def test_a_booked_desk_is_not_free_until_the_booking_is_cancelled(centres, monday):
    client = APIClient()
    booking = centres.book(client, day=monday, hhmm="09:00", item="senior_card")
    senior = ServiceItem.objects.get(code="senior_card")
    assert "09:00" not in times(free_slots(item=senior, date_from=monday, date_to=monday), centres.c1)
    allowance = ServiceItem.objects.get(code="elderly_allowance")
    at_nine = [s for s in free_slots(item=allowance, date_from=monday, date_to=monday, centres=[centres.c1.pk])
               if times([s], centres.c1) == ["09:00"]]
    assert at_nine[0].free == 1  # desk 2 is still free for the allowance
    appointment = Appointment.objects.get(number=booking["number"])
    centres.world.client("community").post(f"/api/v1/appointments/{appointment.pk}/cancel/", {}, format="json")
    assert "09:00" in times(free_slots(item=senior, date_from=monday, date_to=monday), centres.c1)


def test_the_public_answer_lists_the_centres_and_local_times(centres, monday):
    response = APIClient().get("/api/v1/booking/slots/", {"item": "elderly_allowance", "date_from": monday,
                                                          "date_to": monday})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert {c["name"] for c in body["centres"]} == {"社区一便民服务站", "社区三便民服务站"}
    first = body["slots"][0]
    assert first["start"] == f"{monday}T09:00:00+08:00" and first["end"] == f"{monday}T09:30:00+08:00"
    assert len(body["slots"]) == 2 * len(DAY)
