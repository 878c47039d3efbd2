"""The clock counts working days of the district's calendar: the due date is the promised
limit after filing; while the application waits in 补正 for materials (or is suspended)
the clock stops, and the working days lost are added when it runs again."""
from __future__ import annotations

import datetime as dt

from django.db import connection

from incidents.models import WorkCalendarDay
from incidents.workcalendar import working_days_after, working_days_after_sql, working_days_between
from services import services
from services.models import Application

TZ = dt.timezone(dt.timedelta(hours=8))


def test_working_days_follow_the_calendar(db):
    WorkCalendarDay.objects.create(date=dt.date(2026, 10, 1), is_workday=False, name="国庆")
    WorkCalendarDay.objects.create(date=dt.date(2026, 10, 10), is_workday=True, name="调休")
    # Wed 30 Sep + 3 working days: Fri 2, Mon 5, Tue 6 (Thu 1 is a holiday)
    assert working_days_after(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 6)
    # Fri 9 → Mon 12: Saturday the 10th is worked
    assert working_days_between(dt.date(2026, 10, 9), dt.date(2026, 10, 12)) == 2
    # … and the same inside a query (the desk queue's time state)
    with connection.cursor() as cursor:
        for start, days in ((dt.date(2026, 9, 30), 3), (dt.date(2026, 10, 9), 1), (dt.date(2026, 9, 30), 0),
                            (dt.date(2026, 9, 26), 2)):
            sql, params = working_days_after_sql(start, days)
            cursor.execute(f"SELECT {sql}", params)
            assert cursor.fetchone()[0] == working_days_after(start, days), (start, days)


def test_correction_stops_the_clock(service_desk):
    world = service_desk.world
    item = service_desk.item("elderly_allowance")  # promised: 10 working days
    monday = dt.datetime(2026, 11, 2, 10, tzinfo=TZ)
    application = services.application_file(actor=world.users["community"], item=item, person=world.people["pA"],
                                            received=[], at=monday)
    assert application.state == "correction"
    assert application.due_date == dt.date(2026, 11, 16)
    # Materials supplied the next Thursday: three working days stopped (Tue, Wed, Thu)
    thursday = dt.datetime(2026, 11, 5, 15, tzinfo=TZ)
    application = services.application_act(actor=world.users["community"], application_id=application.pk,
                                           action="supplement", version=application.version,
                                           received=service_desk.material_ids(required_only=True), at=thursday)
    assert application.state == "received"
    assert (application.paused_days, application.due_date) == (3, dt.date(2026, 11, 19))
    step = application.steps.last()
    assert step.data["paused_days"] == 3


def test_supplement_with_materials_still_missing_is_refused(service_desk):
    a = service_desk.file(received=[])
    answer = service_desk.act("community", a, "supplement", received=[], expect=400)
    assert "received" in answer
    assert Application.objects.get(pk=a["id"]).state == "correction"


def test_the_queue_shows_late_due_soon_and_stopped(service_desk):
    from django.utils import timezone

    world = service_desk.world
    item = service_desk.item("senior_card")  # promised: 5 working days
    old = timezone.now() - dt.timedelta(days=30)
    late = services.application_file(actor=world.users["community"], item=item, person=world.people["pA"],
                                     received=service_desk.material_ids("senior_card"), at=old)
    waiting = services.application_file(actor=world.users["community"], item=item, person=world.people["pB"],
                                        received=[], at=old)
    fresh = services.application_file(actor=world.users["community"], item=item, person=world.people["pB"],
                                      received=service_desk.material_ids("senior_card"))
    client = world.client("community")

    def ids(**query):
        return {r["id"] for r in client.get("/api/v1/applications/", query).json()["results"]}

    assert ids(time_state="late") == {late.pk}
    assert ids(time_state="paused") == {waiting.pk}
    assert ids(time_state="on_time") == {fresh.pk}
    assert ids(open="true") == {late.pk, waiting.pk, fresh.pk}
    assert client.get("/api/v1/applications/", {"time_state": "nonsense"}).status_code == 400
