"""At the desk the staff mark each booking attended or no-show: a no-show only once its time
has begun, a mark may be corrected, a cancelled booking cannot be marked, an attended one
cannot be cancelled; the day's list shows the marks."""
from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from services.appointment_services import appointment_mark
from services.models import Appointment

pytestmark = pytest.mark.django_db


def test_no_show_marking(centres, monday):
    world = centres.world
    client = world.client("community")
    early = centres.book(APIClient(), day=monday, hhmm="09:00")
    pk = Appointment.objects.get(number=early["number"]).pk
    too_soon = client.post(f"/api/v1/appointments/{pk}/mark/", {"state": "no_show"}, format="json")
    assert too_soon.status_code == 400 and list(too_soon.json()) == ["state"]
    marked = appointment_mark(actor=world.users["community"], appointment_id=pk, state="no_show",
                              at=centres.at(monday, "09:20"))
    assert (marked.state, marked.handled_by) == ("no_show", world.users["community"])
    corrected = client.post(f"/api/v1/appointments/{pk}/mark/", {"state": "attended"}, format="json")
    assert corrected.status_code == 200 and corrected.json()["state"] == "attended"
    refused = client.post(f"/api/v1/appointments/{pk}/cancel/", {"note": "x"}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["state"]

    later = centres.book(APIClient(), day=monday, hhmm="10:00", phone="13900001111")
    later_pk = Appointment.objects.get(number=later["number"]).pk
    assert client.post(f"/api/v1/appointments/{later_pk}/cancel/", {"note": "居民来电取消"},
                       format="json").json()["state"] == "cancelled"
    refused = client.post(f"/api/v1/appointments/{later_pk}/mark/", {"state": "attended"}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["state"]

    rows = client.get("/api/v1/appointments/", {"date": monday, "centre": centres.c1.pk}).json()["results"]
    assert [(r["number"], r["state"]) for r in rows] == [(early["number"], "attended"), (later["number"], "cancelled")]
    assert not client.get("/api/v1/appointments/", {"date": monday + dt.timedelta(days=1)}).json()["results"]


def test_a_department_handler_may_mark_but_not_book(centres, monday):
    booking = centres.book(APIClient(), day=monday, hhmm="09:00")
    pk = Appointment.objects.get(number=booking["number"]).pk
    handler = centres.world.client("handler")
    assert handler.post(f"/api/v1/appointments/{pk}/mark/", {"state": "attended"}, format="json").status_code == 200
    centres.book(handler, day=monday, hhmm="10:00", path="/api/v1/appointments/", expect=403)
