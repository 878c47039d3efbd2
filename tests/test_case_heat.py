"""The "cases" heatmap: where problems are reported, scoped like everything else."""
from __future__ import annotations

import pytest
from django.utils import timezone

from incidents.models import Case
from tests.helpers import IN_A, IN_F

pytestmark = pytest.mark.django_db
LEGEND = "/tiles/heat/cases/legend.json"


def test_open_cases_and_a_time_window(desk, world):
    desk.report(category="garbage", at=IN_A)
    desk.report(category="manhole", at=(IN_A[0] + 0.002, IN_A[1]))
    closed = desk.advance(desk.report(category="garbage", at=IN_A), "closed")
    desk.report("dispatcher", category="garbage", at=IN_F, reporter_name="x", reporter_phone="1")
    street = world.client("street")  # street S1: cells A, B, E
    assert street.get(LEGEND).json()["total"] == 2  # open cases only
    assert street.get(LEGEND, {"category": "environment"}).json()["total"] == 1  # a main category
    today = timezone.localdate().isoformat()  # the district's date, as the window reads it
    assert street.get(LEGEND, {"since": today, "until": today}).json()["total"] == 3  # reported today, any status
    assert world.client("dispatcher").get(LEGEND).json()["total"] == 3  # the district
    assert world.client("leader_b").get(LEGEND).json()["total"] == 0
    assert street.get(LEGEND, {"category": "nope"}).status_code == 400
    assert Case.objects.get(pk=closed["id"]).status == "closed"
