"""Application metrics on a small dataset worked out by hand (November 2026, no holidays):
applications, accepted, due and decided on time, average working days (the days the clock
stopped left out), ratings and the satisfaction rate — per item, street, community,
department and month, the total last; scoped to the user's areas (and a handler's
departments) through gis_core; bad filters are 400s naming the field; one query."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from incidents.models import Department
from services.metrics import application_metrics
from services.models import Application, ApplicationRating

TZ = timezone.get_default_timezone()


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=TZ)


@pytest.fixture
def dataset(service_desk):
    """a1 C1 on time in 4 working days, rated 5; a2 C1 late, 8 working days less 2 stopped,
    rated 1; a3 C2 not accepted yet; a4 C3 (street S2) forwarded to civil affairs, due in
    November, open; a5 C1 received in October, decided 2 Nov on time after 9 working days,
    rated 3 in November; a6 C1 withdrawn after acceptance."""
    world = service_desk.world
    item = service_desk.item()
    civil = Department.objects.get(code="civil_affairs")
    rows = {
        "a1": dict(area="C1", received=at(11, 2), accepted=at(11, 2), due=dt.date(2026, 11, 16),
                   decided=at(11, 6), on_time=True, state="collected", rating=(5, at(11, 9))),
        "a2": dict(area="C1", received=at(11, 2), accepted=at(11, 3), due=dt.date(2026, 11, 10),
                   decided=at(11, 12), on_time=False, state="collected", paused=2, rating=(1, at(11, 13))),
        "a3": dict(area="C2", received=at(11, 3), due=dt.date(2026, 11, 20), state="received"),
        "a4": dict(area="C3", received=at(11, 4), accepted=at(11, 4), due=dt.date(2026, 11, 18), state="forwarded",
                   department=civil),
        "a5": dict(area="C1", received=at(10, 20), accepted=at(10, 20), due=dt.date(2026, 11, 3),
                   decided=at(11, 2), on_time=True, state="collected", rating=(3, at(11, 5))),
        "a6": dict(area="C1", received=at(11, 5), accepted=at(11, 5), due=dt.date(2026, 11, 19), state="withdrawn"),
    }
    made = {}
    for i, (key, r) in enumerate(rows.items()):
        made[key] = Application.objects.create(
            number=f"BJT{i}", tracking_key="k", item=item, applicant_name=key, area=world.areas[r["area"]],
            state=r["state"], department=r.get("department"), received_at=r["received"], promised_days=10,
            due_date=r["due"], accepted_at=r.get("accepted"), decided_at=r.get("decided"),
            decided_on_time=r.get("on_time"), paused_days=r.get("paused", 0))
        if "rating" in r:
            ApplicationRating.objects.create(application=made[key], level=r["rating"][0], channel="desk",
                                             rated_at=r["rating"][1])
    return made


def figures(row) -> tuple:
    return (row.applications, row.accepted, row.due, row.on_time, row.on_time_rate, row.decided,
            row.mean_working_days, row.rated, row.satisfied, row.poor, row.satisfaction_rate)


def test_hand_worked_numbers(dataset):
    rows = application_metrics(Application.objects.all(), group_by="street", since=at(11, 1, 0), until=at(12, 1, 0))
    total = rows[-1]
    assert total.key is None
    assert figures(total) == (5, 4, 4, 2, 50.0, 3, round((4 + 6 + 9) / 3, 2), 3, 2, 1, 66.67)
    by_street = {r.key: r for r in rows[:-1]}
    assert set(by_street) == {"530103001000", "530103002000"}
    assert by_street["530103001000"].name == "拓东街道"
    assert (by_street["530103001000"].applications, by_street["530103002000"].applications) == (4, 1)
    assert (by_street["530103002000"].due, by_street["530103002000"].on_time_rate) == (1, 0.0)

    by_item = application_metrics(Application.objects.all(), group_by="item", since=at(11, 1, 0), until=at(12, 1, 0))
    assert [(r.key, r.applications) for r in by_item] == [("elderly_allowance", 5), (None, 5)]
    by_department = application_metrics(Application.objects.all(), group_by="department", since=at(11, 1, 0),
                                        until=at(12, 1, 0))
    assert [r.key for r in by_department] == ["civil_affairs", None]


def test_by_month_each_count_in_its_own_month(dataset):
    rows = application_metrics(Application.objects.all(), group_by="month", since=at(10, 1, 0), until=at(12, 1, 0))
    by_month = {r.key: r for r in rows}
    assert [r.key for r in rows] == ["2026-10-01", "2026-11-01", None]
    assert (by_month["2026-10-01"].applications, by_month["2026-10-01"].accepted, by_month["2026-10-01"].decided) \
        == (1, 1, 0)
    assert figures(by_month["2026-11-01"]) == (5, 4, 4, 2, 50.0, 3, 6.33, 3, 2, 1, 66.67)
    assert by_month[None].applications == 6


def test_api_scoped_and_one_query(dataset, service_desk, django_assert_max_num_queries):
    world = service_desk.world
    url = "/api/v1/applications/metrics/?group_by=community&since=2026-11&until=2026-11"
    client = world.client("community")
    with django_assert_max_num_queries(2):  # the session, the metrics
        body = client.get(url).json()
    assert [(r["key"], r["applications"]) for r in body["rows"]] == [("530103001001", 3), (None, 3)]
    street = world.client("street").get(url).json()["rows"]
    assert [(r["key"], r["applications"]) for r in street] == [("530103001001", 3), ("530103001002", 1), (None, 4)]
    handler = world.client("handler").get(url).json()["rows"]
    assert [(r["key"], r["applications"]) for r in handler] == [("530103002001", 1), (None, 1)]
    admin = world.client("admin").get(url + f"&area={world.areas['S2'].pk}").json()["rows"]
    assert [(r["key"], r["due"], r["on_time_rate"]) for r in admin] == [("530103002001", 1, 0.0), (None, 1, 0.0)]
    outside = world.client("street").get(url + f"&area={world.areas['S2'].pk}")
    assert outside.status_code == 400 and "area" in outside.json()


def test_bad_filters_name_the_field(service_desk):
    client = service_desk.world.client("admin")
    for query, field in (("group_by=cell", "group_by"), ("since=2026-13", "since"), ("since=2026-11&until=2026-10", "until"),
                         ("since=2020-01&until=2026-01", "until"), ("area=abc", "area")):
        answer = client.get(f"/api/v1/applications/metrics/?{query}")
        assert answer.status_code == 400 and field in answer.json(), (query, answer.json())


def test_metrics_page_and_csv(dataset, service_desk):
    client = service_desk.world.client("street")
    page = client.get("/services/metrics/?group_by=community&since=2026-11&until=2026-11")
    assert page.status_code == 200 and "社区一".encode() in page.content
    csv = client.get("/services/metrics/?group_by=community&since=2026-11&until=2026-11&download=csv")
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("社区一,3,3,3,2,66.67,3,6.33,3,1,66.67")
    assert service_desk.world.client("community").get("/services/metrics/").status_code == 403
