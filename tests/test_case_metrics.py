"""Case metrics on a hand-computed example: the published city report's 996 filed, 972
due, 911 closed (93.72%), 737 on time (75.82%)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.metrics import case_metrics
from incidents.models import Case, CaseStatus, Category
from incidents.selectors import cases_for

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()
NOV, DEC = dt.datetime(2026, 11, 1, tzinfo=TZ), dt.datetime(2026, 12, 1, tzinfo=TZ)


def make_cases(world, n: int, build) -> None:
    """``n`` cases filed from 1 November, 40 minutes apart, alternating between cell A
    (street S1) and cell F (street S2); ``build(i, filed_at)`` gives the rest."""
    category = Category.objects.get(code="garbage")
    rows = []
    for i in range(n):
        cell = world.areas["A" if i % 2 == 0 else "F"]
        filed = NOV + dt.timedelta(minutes=40 * i)
        rows.append(Case(tracking_number=f"T{i:05d}", kind="event", category=category, description="x",
                         location=Point(102.705, 25.015, srid=4326) if i % 2 == 0 else Point(102.74, 25.03, srid=4326),
                         cell=cell, community=cell.parent, street=cell.parent.parent, source="desk",
                         department=category.department, reported_at=filed, filed_at=filed,
                         **{"status": "handling", **build(i, filed)}))
    Case.objects.bulk_create(rows)


def published_report(i: int, filed: dt.datetime) -> dict:
    fields = {"due_at": filed + dt.timedelta(days=1) if i < 972 else dt.datetime(2026, 12, 5, tzinfo=TZ)}
    if i < 911:  # closed: 737 within their time limit (10 h), 174 late (30 h)
        hours = 10 if i < 737 else 30
        fields |= {"status": CaseStatus.CLOSED, "closed_at": filed + dt.timedelta(hours=hours),
                   "closed_on_time": i < 737}
    if i < 50:
        fields["rework_count"] = 1
    if 900 <= i < 920:
        fields["extension_count"] = 1
    return fields


def test_published_report_example(world):
    make_cases(world, 996, published_report)
    rows = case_metrics(Case.objects.all(), by="street", since=NOV, until=DEC)
    total = rows[-1]
    assert total.key is None
    assert (total.filed, total.due, total.deferred, total.closed, total.closed_on_time) == (996, 972, 0, 911, 737)
    assert total.closure_rate == 93.72 and total.on_time_rate == 75.82
    assert total.rework_rate == round(100 * 50 / 911, 2) == 5.49
    assert total.extension_rate == round(100 * 20 / 972, 2) == 2.06
    assert total.mean_hours == round((737 * 10 + 174 * 30) / 911, 2)
    assert total.p90_hours == 30.0  # the 820th of 911 handling times is a late one
    by_street = {r.key: r for r in rows[:-1]}
    assert set(by_street) == {"530103001000", "530103002000"}
    assert by_street["530103001000"].filed == 498 and by_street["530103001000"].name == "拓东街道"
    assert sum(r.closed for r in by_street.values()) == 911


def test_deferred_cases_leave_the_denominator(world):
    def build(i, filed):
        fields = {"due_at": filed + dt.timedelta(days=1)}
        if i < 2:
            fields["deferred_at"] = filed + dt.timedelta(hours=1)
        elif i < 8:
            fields |= {"status": CaseStatus.CLOSED, "closed_at": filed + dt.timedelta(hours=5),
                       "closed_on_time": i < 5}
        return fields

    make_cases(world, 10, build)
    total = case_metrics(Case.objects.all(), by="cell", since=NOV, until=DEC)[-1]
    assert (total.due, total.deferred, total.closed, total.closed_on_time) == (10, 2, 6, 3)
    assert total.closure_rate == 75.0 and total.on_time_rate == 37.5


def test_periods_count_each_date_in_its_own_period(world):
    make_cases(world, 996, published_report)
    rows = case_metrics(Case.objects.all(), by="month", since=NOV, until=dt.datetime(2027, 1, 1, tzinfo=TZ))
    months = {r.key: r for r in rows[:-1]}
    assert months["2026-11-01"].filed == 996 and months["2026-11-01"].due == 972
    assert months["2026-12-01"].filed == 0 and months["2026-12-01"].due == 24


def test_metrics_api_is_scoped_and_one_query(world):
    make_cases(world, 996, published_report)
    street = world.client("street")  # street S1 only
    body = street.get("/api/v1/cases/metrics/", {"by": "community", "since": "2026-11-01",
                                                  "until": "2026-12-01"}).json()
    assert [r["key"] for r in body["rows"]] == ["530103001001", None]
    assert body["rows"][-1]["filed"] == 498
    with CaptureQueriesContext(connection) as queries:
        case_metrics(cases_for(world.users["dispatcher"]), by="department", since=NOV, until=DEC)
    assert len(queries) == 1
    error = world.client("dispatcher").get("/api/v1/cases/metrics/", {"by": "planet"})
    assert error.status_code == 400 and "by" in error.json()
    error = world.client("dispatcher").get("/api/v1/cases/metrics/", {"since": "2026-12-01", "until": "2026-11-01"})
    assert error.status_code == 400 and "since" in error.json()
