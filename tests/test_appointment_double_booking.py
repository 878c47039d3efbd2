"""One desk, one booking at a time, enforced by the database: two residents booking the
last free desk of a slot at the same moment — one gets it, the other is told it was just
taken (409 naming ``start``); overlapping rows are refused whoever writes them, and a
cancelled booking no longer holds its desk."""
from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from services.appointment_services import appointment_book
from services.models import Appointment, ServiceItem

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_bookings_at_once_one_wins(centres, monday):
    item = ServiceItem.objects.get(code="senior_card")
    start = centres.at(monday, "10:00")
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def attempt(phone: str) -> None:
        try:
            barrier.wait()
            outcomes[phone] = appointment_book(actor=None, item=item, centre=centres.c3, starts_at=start,
                                               name="居民", phone=phone)
        except ValidationError as taken:  # SlotTaken (the constraint fired) or, if the
            outcomes[phone] = taken          # other had committed first, "not a free time"
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=attempt, args=(phone,)) for phone in ("13800000001", "13800000002")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [o for o in outcomes.values() if isinstance(o, Appointment)]
    losers = [o for o in outcomes.values() if isinstance(o, ValidationError)]
    assert len(winners) == 1 and len(losers) == 1
    assert "start" in losers[0].message_dict
    assert list(Appointment.objects.values_list("phone", flat=True)) == [winners[0].phone]


def test_the_second_booking_of_a_taken_time_is_a_409_naming_start(centres, monday):
    """C3 has one desk: after the first booking the time is gone (400: not a free time);
    the race itself (the constraint firing) answers 409 — as the test above drives it."""
    centres.book(APIClient(), day=monday, hhmm="10:00", centre=centres.c3)
    again = centres.book(APIClient(REMOTE_ADDR="10.0.0.9"), day=monday, hhmm="10:00", centre=centres.c3,
                         phone="13900000000", expect=400)
    assert list(again) == ["start"]
    assert Appointment.objects.count() == 1


def test_the_database_refuses_overlapping_rows_of_one_desk(centres, monday):
    first = centres.book(APIClient(), day=monday, hhmm="10:00", centre=centres.c3)
    booked = Appointment.objects.get(number=first["number"])
    overlapping = dict(centre=booked.centre, desk=booked.desk, item=booked.item, name="别人", phone="13900000000",
                       starts_at=centres.at(monday, "10:15"), ends_at=centres.at(monday, "10:45"))
    with pytest.raises(IntegrityError, match="appointment_desk_slot_once"), transaction.atomic():
        Appointment.objects.create(number="X1", **overlapping)
    Appointment.objects.filter(pk=booked.pk).update(state="cancelled")
    Appointment.objects.create(number="X2", **overlapping)  # a cancelled booking holds nothing
