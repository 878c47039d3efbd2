"""Applications and appointments for the demo district. Applications: filed at the demo
community's desk for people of its roll over the last month and taken along the flow (by
the demo community worker and handler) to a spread of states — some waiting for materials
(补正), some late — so the desk's queue, the receipt and the one-time notice have something
to show. Through services.services, so every application has a real log. Appointments: a
service centre per community and a few bookings (demo_appointments_load)."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db import connection, transaction
from django.utils import timezone

from assets.models import Person
from gis_core.models import Area, AreaLevel, User
from gis_core.scoping import scope_queryset
from incidents.workcalendar import working_dates
from services import services
from services.appointment_services import appointment_book, appointment_mark, centre_create
from services.models import BusinessArea, Desk, ItemStatus, ServiceCentre, ServiceItem

DEMO_APPLICATIONS = 24
# Where a demo application ends: the actions taken after filing (all materials received).
PATHS = {
    "received": [], "accepted": ["accept"], "forwarded": ["accept", "forward"],
    "approved": ["accept", "forward", "approve"], "issued": ["accept", "forward", "approve", "issue"],
    "collected": ["accept", "forward", "approve", "issue", "collect"], "rejected": ["accept", "forward", "reject"],
    "not_accepted": ["not_accept"],
}
NOTES = {"reject": "经核查不符合申请条件", "not_accept": "不属于本窗口受理范围"}


@transaction.atomic
def demo_applications_load(*, count: int = DEMO_APPLICATIONS, seed: int, log: Callable[[str], None] = print) -> int:
    """Replace every application with ``count`` demo applications; returns how many."""
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        # TRUNCATE fires no row triggers: the log is append-only for everything else.
        cursor.execute("TRUNCATE services_applicationscan, services_applicationstep, services_applicationmaterial, "
                       "services_application RESTART IDENTITY CASCADE")
    users = {u.username: u for u in User.objects.filter(username__in=["community", "handler"])}
    items = list(ServiceItem.objects.filter(status=ItemStatus.IN_FORCE).prefetch_related("materials").order_by("code"))
    people = list(scope_queryset(Person.objects.all(), users["community"]).filter(area__isnull=False)
                  .order_by("id")[:500]) if "community" in users else []
    if len(users) < 2 or not items or not people:
        log("Demo applications skipped: the demo users community and handler, the catalogue or people are missing.")
        return 0
    users["handler"].departments.add(*{item.department_id for item in items})  # decides every item
    now = timezone.now()
    ends = rng.choices(list(PATHS) + ["correction"], k=count)
    for i, end in enumerate(ends):
        item = rng.choice(items)
        required = [m.pk for m in item.materials.all() if m.required]
        at = now - dt.timedelta(days=rng.uniform(0.1, 30))
        application = services.application_file(
            actor=users["community"], item=item, person=rng.choice(people),
            received=required[:-1] if end == "correction" else required, at=at)
        for action in PATHS.get(end, []):
            at = min(at + dt.timedelta(hours=rng.uniform(2, 48)), now)
            actor = users["handler"] if action in ("approve", "reject") else users["community"]
            application = services.application_act(actor=actor, application_id=application.pk, action=action,
                                                   version=application.version, note=NOTES.get(action, ""), at=at)
        if (i + 1) % 10 == 0:
            log(f"  demo applications: {i + 1}/{count}")
    log(f"Demo applications: {count}")
    return count


DEMO_CENTRE_SLOT_MINUTES = 15
# Today's list, the last working day's (marked) and the next working day's, at the demo
# community's centre: (day, "HH:MM", desk number, how it ended).
DEMO_BOOKINGS = [("last", "09:00", 1, "attended"), ("last", "09:15", 2, "attended"), ("last", "10:00", 1, "no_show"),
                 ("last", "14:00", 1, "attended"), ("today", "09:30", 1, ""), ("today", "10:15", 2, ""),
                 ("today", "14:30", 1, ""), ("today", "15:00", 1, ""), ("next", "09:00", 1, ""),
                 ("next", "09:45", 2, ""), ("next", "16:00", 1, "")]
BOOKING_CHANNELS = ["portal", "portal", "phone"]


@transaction.atomic
def demo_appointments_load(*, seed: int, log: Callable[[str], None] = print) -> int:
    """Replace the service centres: one per community (named after it, at a point of it),
    two desks — 1 for every item, 2 for civil affairs — open 09:00–12:00 and 13:30–17:00 on
    working days; and a few bookings at the demo community's centre (the last working day's
    marked, today's and the next working day's to come). Returns how many bookings."""
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE services_appointment, services_desk_items, services_desk, services_openinghours, "
                       "services_servicecentre RESTART IDENTITY CASCADE")
    items = list(ServiceItem.objects.filter(status=ItemStatus.IN_FORCE).order_by("code"))
    civil = [i for i in items if i.business_area == BusinessArea.CIVIL_AFFAIRS]
    communities = Area.objects.filter(level=AreaLevel.COMMUNITY).annotate(point=PointOnSurface("boundary"))
    for community in communities.order_by("code").defer("boundary"):
        centre_create(area=community, name=f"{community.name}便民服务站", address=f"{community.name}党群服务中心一楼",
                      phone=f"0871-6{community.code[-6:]}", location=community.point,
                      slot_minutes=DEMO_CENTRE_SLOT_MINUTES, desks=[items, civil])
    worker = User.objects.filter(username="community").first()
    centre = (scope_queryset(ServiceCentre.objects.all(), worker).order_by("id").first() if worker else None)
    people = list(scope_queryset(Person.objects.all(), worker).exclude(phone="").order_by("id")[:50]) if worker else []
    if centre is None or not people or not civil:
        log("Demo bookings skipped: the demo community worker, their centre or people are missing.")
        return 0
    today = timezone.localdate()
    days = {"last": working_dates(today - dt.timedelta(days=14), today - dt.timedelta(days=1))[-1], "today": today,
            "next": working_dates(today + dt.timedelta(days=1), today + dt.timedelta(days=14))[0]}
    tz = timezone.get_default_timezone()
    count = 0
    for day, hhmm, desk_number, end in DEMO_BOOKINGS:
        start = dt.datetime.combine(days[day], dt.time.fromisoformat(hhmm), tz)
        if day == "today" and not working_dates(today, today):
            continue  # a day off: nothing booked today
        person = rng.choice(people)
        channel = rng.choice(BOOKING_CHANNELS)
        at = start - dt.timedelta(days=1)
        appointment = appointment_book(
            actor=None if channel == "portal" else worker, item=rng.choice(civil), centre=centre, starts_at=start,
            name=person.name, phone=person.phone, person=None if channel == "portal" else person,
            desk=Desk.objects.get(centre=centre, number=desk_number), channel=channel, at=at)
        if end:
            appointment_mark(actor=worker, appointment_id=appointment.pk, state=end, at=start + dt.timedelta(minutes=20))
        count += 1
    log(f"Demo service centres: {communities.count()}; bookings: {count}")
    return count
