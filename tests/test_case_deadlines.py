"""Time limits in working hours, the clock that flags cases due soon and late, and
automatic archiving."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from incidents.models import Case, CaseEvent, WorkCalendarDay
from incidents.services import cases_clock_tick
from incidents.workcalendar import working_deadline, working_hours_between

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def test_deadline_skips_evenings_lunch_and_weekends():
    friday_5pm = at(2026, 12, 4, 17)
    assert working_deadline(friday_5pm, 8) == at(2026, 12, 7, 17)  # 1 h Friday, 3 + 4 h Monday
    assert working_deadline(at(2026, 12, 2, 11), 2) == at(2026, 12, 2, 14)  # over the lunch break
    assert working_deadline(at(2026, 12, 5, 10), 1) == at(2026, 12, 7, 10)  # Saturday: from Monday 9:00
    assert working_deadline(friday_5pm, 8, round_the_clock=True) == at(2026, 12, 5, 1)


def test_deadline_follows_the_working_calendar():
    WorkCalendarDay.objects.create(date=dt.date(2026, 12, 7), is_workday=False, name="holiday")
    WorkCalendarDay.objects.create(date=dt.date(2026, 12, 5), is_workday=True, name="调休")
    assert working_deadline(at(2026, 12, 4, 17), 8) == at(2026, 12, 5, 17)  # the worked Saturday
    assert working_deadline(at(2026, 12, 4, 17), 16) == at(2026, 12, 8, 17)  # not the Monday holiday


def test_working_hours_between():
    assert working_hours_between(at(2026, 12, 4, 17), at(2026, 12, 7, 10)) == 2
    assert working_hours_between(at(2026, 12, 7, 10), at(2026, 12, 4, 17)) == 0


def test_clock_flags_due_soon_then_late_once_each(desk, world):
    case = desk.advance(desk.report(), "dispatched")
    stored = Case.objects.get(pk=case["id"])
    assert stored.warn_at < stored.due_at
    assert cases_clock_tick(now=stored.warn_at - dt.timedelta(seconds=1)) == {"due_soon": 0, "late": 0, "archived": 0}
    assert cases_clock_tick(now=stored.warn_at + dt.timedelta(seconds=1))["due_soon"] == 1
    assert cases_clock_tick(now=stored.warn_at + dt.timedelta(seconds=2))["due_soon"] == 0  # already flagged
    assert cases_clock_tick(now=stored.due_at + dt.timedelta(seconds=1))["late"] == 1
    stored.refresh_from_db()
    assert stored.time_state == "late" and stored.version == desk.version(case["id"])
    flagged = [e for e in CaseEvent.objects.filter(case=stored).values_list("action", flat=True)
               if e in ("due_soon", "late")]
    assert flagged == ["due_soon", "late"]
    late = world.client("dispatcher").get("/api/v1/cases/", {"time_state": "late"}).json()
    assert [f["id"] for f in late["features"]] == [case["id"]]


def test_closed_late_is_not_on_time(desk):
    case = desk.advance(desk.report(), "reported_back")
    Case.objects.filter(pk=case["id"]).update(due_at=timezone.now() - dt.timedelta(hours=1),
                                              warn_at=timezone.now() - dt.timedelta(hours=2))
    case = desk.act("dispatcher", case, "close")
    assert case["properties"]["closed_on_time"] is False
    assert case["properties"]["time_state"] == "late"


def test_paused_cases_are_not_flagged_and_get_their_time_back(desk):
    case = desk.advance(desk.report(), "handling")
    desk.act("dispatcher", case, "suspend", note="等待")
    stored = Case.objects.get(pk=case["id"])
    assert cases_clock_tick(now=stored.due_at + dt.timedelta(days=30))["late"] == 0
    # Suspended since two working hours ago (10:00 → 12:00 on a Wednesday, say): resuming
    # moves the deadline by the working time lost.
    paused = at(2026, 12, 2, 10)
    Case.objects.filter(pk=stored.pk).update(paused_at=paused)
    before = timezone.now()
    desk.act("dispatcher", case, "resume")
    after = timezone.now()
    resumed = Case.objects.get(pk=stored.pk)
    assert resumed.status == "handling" and resumed.paused_at is None
    # The working time lost runs until the moment of resuming, somewhere between these two.
    earliest = working_deadline(stored.due_at, working_hours_between(paused, before))
    latest = working_deadline(stored.due_at, working_hours_between(paused, after))
    assert earliest <= resumed.due_at <= latest


def test_clock_archives_old_closed_cases(desk):
    case = desk.advance(desk.report(), "closed")
    Case.objects.filter(pk=case["id"]).update(closed_at=timezone.now() - dt.timedelta(days=16))
    call_command("incidents_clock", "--once")
    stored = Case.objects.get(pk=case["id"])
    assert stored.status == "archived" and stored.archived_at
    last = CaseEvent.objects.filter(case=stored).last()
    assert (last.action, last.from_status, last.to_status, last.actor) == ("auto_archive", "closed", "archived", None)
