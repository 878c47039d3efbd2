"""Application numbers come from the cases' scheme with their own prefix: BJ, the local
date, the street's code, a daily sequence per street — apart from the cases' own."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from incidents.services import tracking_number_next


def test_numbers_run_in_sequence_apart_from_cases(service_desk, desk):
    today = timezone.localdate()
    first = service_desk.file()["number"]
    desk.report("leader_a")  # a case in the same street takes the cases' sequence
    second = service_desk.file(person="pB")["number"]
    assert first == f"BJ{today:%Y%m%d}-530103001-0001"
    assert second == f"BJ{today:%Y%m%d}-530103001-0002"


def test_the_shared_generator(db):
    at = dt.datetime(2026, 12, 1, 10, tzinfo=dt.timezone.utc)
    assert tracking_number_next(area_code="530103002001001", at=at) == "20261201-530103002-0001"
    assert tracking_number_next(area_code="530103002001", at=at, prefix="BJ") == "BJ20261201-530103002-0001"
    assert tracking_number_next(area_code="530103002001", at=at, prefix="BJ") == "BJ20261201-530103002-0002"
