"""A centre's staff see their centre's bookings: a community worker their community's
centres, a street official the centres of their street, a department handler the bookings
of their departments' items; grid leaders none. Someone else's booking is a 404 to read,
mark or cancel; phones are masked for roles that do not see personal data. The daily list
is a fixed number of queries."""
from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from gis_core.models import PersonalDataAccess
from services.models import Appointment

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(centres, monday) -> dict[str, dict]:
    client = APIClient()
    return {
        "c1": centres.book(client, day=monday, hhmm="09:00", phone="13811110001"),
        "c1_disability": centres.book(client, day=monday, hhmm="09:30", item="disability_card", phone="13811110002"),
        "c3": centres.book(client, day=monday, hhmm="09:00", centre=centres.c3, phone="13811110003"),
    }


def numbers(client, **query) -> set[str]:
    response = client.get("/api/v1/appointments/", query)
    assert response.status_code == 200, response.json()
    return {row["number"] for row in response.json()["results"]}


def test_each_role_lists_its_centres_bookings(centres, booked):
    world = centres.world
    c1 = {booked["c1"]["number"], booked["c1_disability"]["number"]}
    assert numbers(world.client("community")) == c1
    assert numbers(world.client("street")) == c1
    assert numbers(world.client("admin")) == c1 | {booked["c3"]["number"]}
    assert numbers(world.client("handler")) == {booked["c1"]["number"], booked["c3"]["number"]}  # civil affairs
    assert world.client("leader_a").get("/api/v1/appointments/").status_code == 403
    centres_seen = world.client("community").get("/api/v1/service-centres/").json()["results"]
    assert [c["name"] for c in centres_seen] == ["社区一便民服务站"]


def test_another_centres_booking_is_a_404(centres, booked):
    other = Appointment.objects.get(number=booked["c3"]["number"])
    client = centres.world.client("community")
    assert client.get(f"/api/v1/appointments/{other.pk}/").status_code == 404
    assert client.post(f"/api/v1/appointments/{other.pk}/mark/", {"state": "attended"}, format="json").status_code == 404
    assert client.post(f"/api/v1/appointments/{other.pk}/cancel/", {}, format="json").status_code == 404
    assert Appointment.objects.get(pk=other.pk).state == "booked"


def test_phones_are_masked_for_street_officials(centres, booked):
    rows = centres.world.client("street").get("/api/v1/appointments/").json()["results"]
    assert {row["phone"] for row in rows} == {"138****0001", "138****0002"}
    rows = centres.world.client("community").get("/api/v1/appointments/").json()["results"]
    assert "13811110001" in {row["phone"] for row in rows}
    logged = PersonalDataAccess.objects.filter(username="community", object_id=rows[0]["id"]).get()
    assert (logged.fields, logged.area) == (["phone"], centres.world.areas["C1"])  # unmasked reads are logged


def test_the_daily_list_of_a_desk(centres, booked, monday, django_assert_max_num_queries):
    desk = centres.c1.desks.get(number=1)
    client = centres.world.client("community")
    with django_assert_max_num_queries(8):
        rows = client.get("/api/v1/appointments/", {"date": monday, "desk": desk.pk}).json()["results"]
    assert [row["start"][11:16] for row in rows] == ["09:00", "09:30"]
    assert numbers(client, date=monday - dt.timedelta(days=7)) == set()
