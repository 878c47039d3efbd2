"""Reads for the dispatcher's console: the alert queue, an alert's context, the nearest
responders, live terminals and tracks. Callers pass querysets already scoped to the user
(gis_core.scoping) or a user to scope with."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, F, FloatField, Func, OuterRef, Prefetch, QuerySet, Subquery, Value, When

from assets.models import Person
from assets.selectors import current_primary_residence, people_with_current_home
from gis_core.models import Role
from gis_core.roles import role_allows
from gis_core.scoping import UNRESTRICTED, user_area_prefixes
from gis_core.spatial import degrees_reaching
from iot.models import OPEN_STATES, URGENT_KINDS, Alert, AlertEvent, AlertState, EmergencyContact, Terminal

RESPONDER_RADIUS_M = 3000
RESPONDERS = 8
# a degree of longitude is at least this long south of 60°N: a safe bounding box in degrees
RESPONDERS_UP_TO_LAT = 60.0  # the prefilter box holds the radius up to this latitude


def alerts_queue(qs: QuerySet[Alert], *, open_only: bool = True) -> QuerySet[Alert]:
    """Alerts newest first (SOS and falls before the rest when open), with what a queue
    row shows, in one query."""
    qs = qs.select_related("terminal", "person", "area")
    if not open_only:
        return qs.order_by("-received_at", "-id")
    urgent = Case(When(kind__in=URGENT_KINDS, then=Value(0)), default=Value(1))
    # By receipt time (the index alert_queue_idx): a device's clock may be years off.
    return qs.filter(state__in=OPEN_STATES).order_by(urgent, "-received_at", "-id")


def alerts_filter(qs: QuerySet[Alert], *, state: str = "open", kind: str | None = None) -> QuerySet[Alert]:
    """The queue of ``state`` "open" (urgent first), "closed" or "all", of one ``kind``."""
    qs = alerts_queue(qs, open_only=state == "open")
    if state == "closed":
        qs = qs.filter(state__in=[AlertState.RESOLVED, AlertState.FALSE_ALARM])
    return qs.filter(kind=kind) if kind else qs


def alert_detail(qs: QuerySet[Alert], pk: int) -> Alert:
    """One alert with its events (and who took them), its terminal and elder, and the
    elder's contacts and home."""
    elders = people_with_current_home(Person.objects.all()).prefetch_related(
        "tags", Prefetch("emergency_contacts", queryset=EmergencyContact.objects.order_by("priority", "id")))
    return (qs.select_related("terminal", "area")
            .prefetch_related(Prefetch("person", queryset=elders),
                              Prefetch("events", queryset=AlertEvent.objects.select_related("user")))
            .get(pk=pk))


def home_address(person: Person) -> str:
    """'<building address> <unit>单元 <room>' of the current primary residence."""
    residence = (current_primary_residence().filter(person=person)
                 .select_related("house__building").first())
    if residence is None:
        return ""
    house = residence.house
    return f"{house.building.address} {house.unit}单元 {house.room}".strip()


@dataclass(frozen=True)
class Responder:
    kind: str            # "grid_leader" or "volunteer"
    id: int              # user id or person id
    name: str
    phone: str           # unmasked: the serializer masks or logs it (gis_core.personal_data)
    distance_m: float
    area_name: str
    area_id: int | None


def responders_nearest(alert: Alert, *, viewer, radius_m: int = RESPONDER_RADIUS_M,
                       limit: int = RESPONDERS, on_duty_only: bool = False) -> list[Responder]:
    """Who can get there first: grid leaders of the cells around the alert (distance to
    their cell, 0 inside it) and volunteers (people tagged 志愿者, from their home), within
    ``radius_m`` of where the alert is (or the elder's home cell), nearest first — of the
    ``viewer``'s areas only (``viewer`` None: the platform itself, everywhere), and
    volunteers only for roles that read people. ``on_duty_only``: grid leaders who are on
    duty (volunteers have no duty)."""
    if alert.position is None and alert.area_id is None:
        return []
    prefixes = UNRESTRICTED if viewer is None else user_area_prefixes(viewer)
    patterns = None if prefixes is UNRESTRICTED else [p + "%" for p in prefixes]
    people = not on_duty_only and (viewer is None or role_allows(viewer, "assets.view_person"))
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH here AS (
                SELECT COALESCE(%(pos)s::geometry, (SELECT ST_PointOnSurface(boundary) FROM gis_core_area
                                                      WHERE id = %(area)s)) AS g
            ), leaders AS (
                SELECT DISTINCT ON (u.id) 'grid_leader' AS kind, u.id, COALESCE(NULLIF(u.name, ''), u.username) AS name,
                       u.phone, ST_Distance(a.boundary::geography, here.g::geography, false) AS d, a.name AS area,
                       a.id AS area_id
                FROM here, gis_core_area a
                JOIN gis_core_user_areas ua ON ua.area_id = a.id
                JOIN gis_core_user u ON u.id = ua.user_id AND u.role = %(leader)s AND u.is_active
                                       AND (u.on_duty OR NOT %(on_duty)s)
                WHERE a.level = 5 AND a.boundary && ST_Expand(here.g, %(deg)s)
                  AND ST_DWithin(a.boundary::geography, here.g::geography, %(radius)s, false)
                  AND (%(patterns)s::text[] IS NULL OR a.code LIKE ANY (%(patterns)s::text[]))
                ORDER BY u.id, d
            ), volunteers AS (
                SELECT 'volunteer' AS kind, p.id, p.name, p.phone,
                       ST_Distance(b.anchor::geography, here.g::geography, false) AS d, a.name AS area,
                       a.id AS area_id
                FROM here, assets_building b
                JOIN assets_house h ON h.building_id = b.id
                JOIN assets_residence r ON r.house_id = h.id AND r.is_primary AND r.moved_out IS NULL
                JOIN assets_person p ON p.id = r.person_id
                JOIN assets_persontagging pt ON pt.person_id = p.id
                JOIN assets_persontag t ON t.id = pt.tag_id AND t.code = 'volunteer'
                LEFT JOIN gis_core_area a ON a.id = b.area_id
                WHERE b.anchor && ST_Expand(here.g, %(deg)s)  -- the GiST index first
                  AND ST_DWithin(b.anchor::geography, here.g::geography, %(radius)s, false)
                  AND p.id IS DISTINCT FROM %(elder)s
                  AND %(people)s
                  AND (%(patterns)s::text[] IS NULL OR a.code LIKE ANY (%(patterns)s::text[]))
            )
            SELECT * FROM (SELECT * FROM leaders UNION ALL SELECT * FROM volunteers) r ORDER BY d, kind, id LIMIT %(limit)s
            """,
            {"pos": alert.position.ewkt if alert.position else None, "area": alert.area_id,
             "leader": Role.GRID_LEADER, "radius": radius_m, "deg": degrees_reaching(radius_m, RESPONDERS_UP_TO_LAT),
             "elder": alert.person_id, "limit": limit, "patterns": patterns,
             "people": people, "on_duty": on_duty_only})
        return [Responder(kind, pk, name, phone or "", round(d, 1), area or "", area_id)
                for kind, pk, name, phone, d, area, area_id in cursor.fetchall()]


_LIVE_FIELDS = ("id", "device_id", "elder", "person", "battery", "signal", "last_seen_at", "last_fix_at",
                "last_accuracy_m", "zone_state", "open_alert_kind", "open_alert_id")


def terminals_live(qs: QuerySet[Terminal]) -> dict:
    """The live map layer: a GeoJSON FeatureCollection of the terminals with a last
    position, with their elder's name and their open alert (the most recent), in one
    query. Plain values, no model instances: the console reloads it every few seconds
    for thousands of terminals."""
    open_alert = Alert.objects.filter(terminal=OuterRef("pk"), state__in=OPEN_STATES).order_by("-received_at")
    rows = (qs.filter(last_position__isnull=False)
            .annotate(open_alert_kind=Subquery(open_alert.values("kind")[:1]),
                      open_alert_id=Subquery(open_alert.values("id")[:1]),
                      elder=F("person__name"),
                      lon=Func("last_position", function="ST_X", output_field=FloatField()),
                      lat=Func("last_position", function="ST_Y", output_field=FloatField()))
            .order_by("device_id")
            .values(*_LIVE_FIELDS, "lon", "lat"))
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": row["id"], "geometry": {"type": "Point", "coordinates": [row.pop("lon"), row.pop("lat")]},
         "properties": row} for row in rows]}


# Full fixes (recent days) and the downsampled history (older days) over one time range:
# each side prunes to the partitions of the range and reads its primary key (terminal,
# time). A fix is in one table or the other; DISTINCT ON only hides a late duplicate of an
# archived fix waiting in the default partition for the next retention run.
TRACK_SQL = """
SELECT DISTINCT ON (time) time, ST_X(geom), ST_Y(geom), accuracy_m, speed_kmh, zone FROM (
    SELECT time, geom, accuracy_m, speed_kmh, zone FROM iot_position
    WHERE terminal_id = %(terminal)s AND time BETWEEN %(since)s AND %(until)s AND drawable
    UNION ALL
    SELECT time, geom, accuracy_m, speed_kmh, zone FROM iot_position_history
    WHERE terminal_id = %(terminal)s AND time BETWEEN %(since)s AND %(until)s AND drawable
) fixes ORDER BY time LIMIT %(limit)s
"""


def track(terminal: Terminal, *, since: dt.datetime, until: dt.datetime, limit: int = 20000) -> list[tuple]:
    """Drawable fixes of a terminal in [since, until], oldest first: (time, lon, lat,
    accuracy, speed, zone) — full fixes, and one a minute (every one round an alert) for
    days older than IOT_POSITION_FULL_DAYS."""
    with connection.cursor() as cursor:
        cursor.execute(TRACK_SQL, {"terminal": terminal.pk, "since": since, "until": until, "limit": limit})
        return cursor.fetchall()
