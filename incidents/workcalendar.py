"""Working-time arithmetic: working hours for case time limits (处置时限), working days for
service applications (承诺时限).

A working day is Monday–Friday unless the calendar (WorkCalendarDay) says otherwise
(holidays off, 调休 weekend days on); its working periods are INCIDENTS_WORK_PERIODS in
the district's time zone. Round-the-clock categories count calendar hours instead.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

from gis_core.metrics import local_time_zone_sql

MAX_DAYS = 3 * 366  # no time limit reaches further; guards the loops


def work_periods() -> list[tuple[dt.time, dt.time]]:
    """"09:00-12:00,13:00-18:00" → [(09:00, 12:00), (13:00, 18:00)]."""
    periods = []
    for part in settings.INCIDENTS_WORK_PERIODS.split(","):
        start, end = part.strip().split("-")
        periods.append((dt.time.fromisoformat(start), dt.time.fromisoformat(end)))
    return periods


def _exceptions(first: dt.date, last: dt.date) -> dict[dt.date, bool]:
    from incidents.models import WorkCalendarDay

    return dict(WorkCalendarDay.objects.filter(date__range=(first, last)).values_list("date", "is_workday"))


def _working_spans(start: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Working periods from ``start`` onwards, in order (the first may begin at start)."""
    tz = timezone.get_default_timezone()
    local = timezone.localtime(start, tz)
    day = local.date()
    exceptions = _exceptions(day, day + dt.timedelta(days=MAX_DAYS))
    periods = work_periods()
    for offset in range(MAX_DAYS):
        date = day + dt.timedelta(days=offset)
        if not exceptions.get(date, date.weekday() < 5):
            continue
        for begin, end in periods:
            span_start = dt.datetime.combine(date, begin, tz)
            span_end = dt.datetime.combine(date, end, tz)
            if span_end <= local:
                continue
            yield max(span_start, local), span_end
    raise ValueError("time limit beyond the working calendar")


def working_deadline(start: dt.datetime, hours: float, *, round_the_clock: bool = False) -> dt.datetime:
    """The moment ``hours`` of working time after ``start``."""
    if round_the_clock:
        return start + dt.timedelta(hours=hours)
    left = dt.timedelta(hours=hours)
    for span_start, span_end in _working_spans(start):
        if span_end - span_start >= left:
            return span_start + left
        left -= span_end - span_start
    raise AssertionError("unreachable")


def working_hours_between(start: dt.datetime, end: dt.datetime, *, round_the_clock: bool = False) -> float:
    """Working hours from ``start`` to ``end`` (0 when end is not after start)."""
    if end <= start:
        return 0.0
    if round_the_clock:
        return (end - start).total_seconds() / 3600
    total = dt.timedelta()
    for span_start, span_end in _working_spans(start):
        if span_start >= end:
            break
        total += min(span_end, end) - span_start
    return total.total_seconds() / 3600


# --------------------------------------------------------------------------- working days
# Time limits of service applications (承诺时限) are whole working days of the same calendar.

def working_days_after(start: dt.date, days: int) -> dt.date:
    """The working day ``days`` working days after ``start`` (the day itself not counted)."""
    exceptions = _exceptions(start, start + dt.timedelta(days=MAX_DAYS))
    date, left = start, days
    for _ in range(MAX_DAYS):
        if left <= 0:
            return date
        date += dt.timedelta(days=1)
        if exceptions.get(date, date.weekday() < 5):
            left -= 1
    raise ValueError("time limit beyond the working calendar")


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end is not after start)."""
    if end <= start:
        return 0
    exceptions = _exceptions(start, end)
    return sum(1 for offset in range(1, (end - start).days + 1)
               if exceptions.get(d := start + dt.timedelta(days=offset), d.weekday() < 5))


def working_dates(first: dt.date, last: dt.date) -> list[dt.date]:
    """The working days from ``first`` to ``last``, both included (service centres open on
    these: appointments)."""
    exceptions = _exceptions(first, last)
    return [d for offset in range((last - first).days + 1)
            if exceptions.get(d := first + dt.timedelta(days=offset), d.weekday() < 5)]

def working_day_numbers_sql(name: str = "calendar") -> str:
    """SQL (a WITH item ``name``, params: first and last date) of one row: ``starts``, the
    local midnight of each date from first to last, and ``n``, the number of working days
    from first up to and including each date. For a time ``t``, ``n[width_bucket(t,
    starts)]`` is that number on t's local date (NULL before first): working days after
    ``a`` up to ``b`` = n(b) − n(a), as working_days_between counts them, for any number
    of rows — a binary search each, no time zone conversion, join or sort per row
    (metrics)."""
    return f"""{name} AS (
        SELECT array_agg(d::timestamp AT TIME ZONE {local_time_zone_sql()} ORDER BY d) AS starts,
               array_agg(n ORDER BY d) AS n
        FROM (SELECT g::date AS d,
                     count(*) FILTER (WHERE coalesce(w.is_workday, extract(isodow FROM g) < 6)) OVER (ORDER BY g) AS n
              FROM generate_series(%s::date, %s::date, interval '1 day') g
              LEFT JOIN incidents_workcalendarday w ON w.date = g::date) days)"""


def working_days_after_sql(start: dt.date, days: int) -> tuple[str, list]:
    """working_days_after(start, days) as an SQL scalar (and its params): the date inside
    the query that needs it, instead of a query of the calendar before it (the desk
    queue's time state). NULL beyond the calendar's reach."""
    if days <= 0:
        return "%s::date", [start]
    return ("""(SELECT g::date FROM generate_series(%s::date + 1, %s::date + %s, interval '1 day') g
               LEFT JOIN incidents_workcalendarday w ON w.date = g::date
               WHERE coalesce(w.is_workday, extract(isodow FROM g) < 6)
               ORDER BY g OFFSET %s LIMIT 1)""", [start, start, MAX_DAYS, days - 1])
