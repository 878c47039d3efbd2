"""The public booking is limited per client address (APPOINTMENT_BOOK_RATE) and per phone
(APPOINTMENT_PHONE_RATE, whatever the address), and free-slot lookups per address
(APPOINTMENT_SLOTS_RATE): past the limit a 429 that books nothing."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from services.models import Appointment

pytestmark = pytest.mark.django_db


def test_bookings_per_address(centres, monday, settings):
    settings.APPOINTMENT_BOOK_RATE = "3/hour"
    client = APIClient(REMOTE_ADDR="10.1.1.1")
    for n, hhmm in enumerate(("09:00", "09:30", "10:00")):
        centres.book(client, day=monday, hhmm=hhmm, phone=f"1380000000{n}")
    centres.book(client, day=monday, hhmm="10:30", phone="13800000009", expect=429)
    assert Appointment.objects.count() == 3
    centres.book(APIClient(REMOTE_ADDR="10.1.1.2"), day=monday, hhmm="10:30", phone="13800000009")


def test_bookings_per_phone(centres, monday, settings):
    settings.APPOINTMENT_PHONE_RATE = "2/day"
    for n, hhmm in enumerate(("09:00", "09:30")):
        centres.book(APIClient(REMOTE_ADDR=f"10.2.2.{n}"), day=monday, hhmm=hhmm, phone="138 1234 5678")
    centres.book(APIClient(REMOTE_ADDR="10.2.2.9"), day=monday, hhmm="10:00", phone="13812345678", expect=429)
    assert Appointment.objects.count() == 2


def test_slot_lookups_per_address(centres, monday, settings):
    settings.APPOINTMENT_SLOTS_RATE = "2/min"
    client = APIClient(REMOTE_ADDR="10.3.3.3")
    query = {"item": "senior_card", "date_from": monday, "date_to": monday}
    assert [client.get("/api/v1/booking/slots/", query).status_code for _ in range(3)] == [200, 200, 429]
