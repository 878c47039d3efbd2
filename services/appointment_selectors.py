"""Reads of appointments (预约): the free slots of an item over a range of days (one SQL
statement: the centres' weekly hours on the district's working days, cut into slots by
generate_series, less the desks' bookings), a user's bookings (gis_core.scoping) and a
desk's or centre's list of one day."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from gis_core.scoping import scope_queryset
from incidents.workcalendar import working_dates
from services.models import Appointment, Desk, ItemStatus, OpeningHours, ServiceCentre, ServiceItem


@dataclass(frozen=True)
class Slot:
    centre_id: int
    centre_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    desks: tuple[int, ...]  # the free desks that handle the item, by number

    @property
    def free(self) -> int:
        return len(self.desks)


# A centre opens on working days (the dates passed in) during its hours of that weekday; a
# worked weekend day (调休) with no hours of its own takes Monday's (weekday 0). Each
# period is cut into slots of the centre's length from its opening; a slot is free at a
# desk that handles the item and has no booking overlapping it (the exclusion
# constraint's own GiST index answers that).
FREE_SLOTS_SQL = """
WITH days AS (SELECT unnest(%(days)s::date[]) AS day),
centres AS (
    SELECT c.id, c.name, c.slot_minutes FROM services_servicecentre c
    WHERE c.active AND (%(centres)s::bigint[] IS NULL OR c.id = ANY(%(centres)s::bigint[]))
),
periods AS (
    SELECT c.id AS centre_id, c.name AS centre_name, make_interval(mins => c.slot_minutes) AS length,
           timezone(%(tz)s, days.day + h.opens) AS opens, timezone(%(tz)s, days.day + h.closes) AS closes
    FROM days CROSS JOIN centres c
    JOIN services_openinghours h ON h.centre_id = c.id AND h.weekday = CASE
        WHEN EXISTS (SELECT 1 FROM services_openinghours own
                     WHERE own.centre_id = c.id AND own.weekday = extract(isodow FROM days.day)::int - 1)
        THEN extract(isodow FROM days.day)::int - 1 ELSE 0 END
),
slots AS (
    SELECT p.centre_id, p.centre_name, s AS starts_at, s + p.length AS ends_at
    FROM periods p, generate_series(p.opens, p.closes - p.length, p.length) AS s
    WHERE s > %(now)s AND (%(start)s::timestamptz IS NULL OR s = %(start)s::timestamptz)
)
SELECT s.centre_id, s.centre_name, s.starts_at, s.ends_at, array_agg(d.id ORDER BY d.number)
FROM slots s
JOIN services_desk d ON d.centre_id = s.centre_id AND d.active
    AND (%(desk)s::bigint IS NULL OR d.id = %(desk)s::bigint)
JOIN services_desk_items di ON di.desk_id = d.id AND di.serviceitem_id = %(item)s
WHERE NOT EXISTS (
    SELECT 1 FROM services_appointment a
    WHERE a.desk_id = d.id AND a.state <> 'cancelled'
      AND tstzrange(a.starts_at, a.ends_at) && tstzrange(s.starts_at, s.ends_at))
GROUP BY s.centre_id, s.centre_name, s.starts_at, s.ends_at
ORDER BY s.starts_at, s.centre_id
"""


def free_slots(*, item: ServiceItem, date_from: dt.date, date_to: dt.date, centres: list[int] | None = None,
               desk: int | None = None, start: dt.datetime | None = None,
               now: dt.datetime | None = None) -> list[Slot]:
    """The free slots for ``item`` from ``date_from`` to ``date_to`` (local days, both
    included) at the active centres (or those of ``centres``; or at one ``desk``), later
    than ``now``; with ``start``, only the slots beginning then. One statement besides the calendar's."""
    days = working_dates(date_from, date_to)
    if not days:
        return []
    with connection.cursor() as cursor:
        cursor.execute(FREE_SLOTS_SQL, {
            "days": days, "centres": centres, "tz": settings.TIME_ZONE, "now": now or timezone.now(),
            "start": start, "item": item.pk, "desk": desk})
        return [Slot(centre_id, name, starts, ends, tuple(desks))
                for centre_id, name, starts, ends, desks in cursor.fetchall()]


def centres_for_item(item: ServiceItem) -> QuerySet:
    """The active centres with an active desk for ``item`` (where a resident may book it)."""
    return (ServiceCentre.objects.filter(active=True, desks__active=True, desks__items=item).distinct()
            .defer("location").order_by("name", "id"))


def appointments_for(user) -> QuerySet:
    """The bookings the user may see: their centres' (a community's worker: the community's
    centres; officials: their areas'; a department handler: their departments' items)."""
    return scope_queryset(Appointment.objects.all(), user)


def appointments_list(qs: QuerySet) -> QuerySet:
    """For lists and the daily list: what a row shows, in one query."""
    return qs.select_related("centre", "desk", "item").order_by("starts_at", "desk__number", "id")


def appointments_of_day(qs: QuerySet, *, day: dt.date) -> QuerySet:
    """The bookings starting on the local ``day`` (the daily list of a desk or a centre)."""
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(day, dt.time.min, tz)
    return qs.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))


def centres_for(user) -> QuerySet:
    """The centres in the user's areas with their desks (and each desk's items) and hours."""
    desks = Desk.objects.order_by("number").prefetch_related("items")
    return (scope_queryset(ServiceCentre.objects.all(), user).select_related("area").defer("area__boundary")
            .prefetch_related(Prefetch("desks", queryset=desks),
                              Prefetch("hours", queryset=OpeningHours.objects.order_by("weekday", "opens")))
            .order_by("name", "id"))


def items_bookable() -> QuerySet:
    """The items in force that some active desk of an active centre handles."""
    return (ServiceItem.objects.filter(status=ItemStatus.IN_FORCE, desks__active=True, desks__centre__active=True)
            .distinct().order_by("business_area", "sort_order", "code"))
