"""Alerts raised by the ingester and the silence watchdog, and their announcement.

While an alert of a kind is open for a terminal, further reports of that kind attach to
it (``repeats``; for SOS and falls also an event per report) — the partial unique index
``alert_one_open_per_kind`` makes that an upsert. Every change is announced with
``pg_notify('iot_alerts', …)`` when the transaction commits; the live stream (iot/live.py)
passes it to the consoles whose areas cover the alert. The announcement carries the
alert's queue row (as the alerts list gives it), so a console draws it at once instead
of fetching the queue again.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import translation

from gis_core.events import alert_changed
from iot.formats import Report
from iot.models import OPEN_STATES, URGENT_KINDS, AlertKind

CHANNEL = "iot_alerts"
NOTIFY_LIMIT = 7900  # bytes of a payload (PostgreSQL refuses 8,000 and more)
_OPEN = "state IN (" + ", ".join(f"'{s}'" for s in OPEN_STATES) + ")"


@dataclass(frozen=True)
class AlertChange:
    """What happened to an alert, as announced to the consoles."""

    id: int
    kind: str
    state: str
    action: str          # raised, repeat, back_inside, heard, or a lifecycle step
    area_code: str | None
    terminal_id: int

    def payload(self, row: dict | None = None) -> str:
        """The announcement; ``row``, the alert's queue row (a GeoJSON feature), when it
        fits in a notification (PostgreSQL's limit is 8,000 bytes; without it the
        console fetches the queue)."""
        change = {"id": self.id, "kind": self.kind, "state": self.state, "action": self.action,
                  "area": self.area_code, "terminal": self.terminal_id}
        if row is not None:
            text = json.dumps({**change, "row": row}, ensure_ascii=False, default=str)
            if len(text.encode()) <= NOTIFY_LIMIT:
                return text
        return json.dumps(change)


@dataclass
class _Raise:
    terminal_id: int
    kind: str
    times: list[dt.datetime]  # device times of the reports, in arrival order
    position: tuple[float, float, float | None] | None  # lon, lat, accuracy

    @property
    def first_at(self) -> dt.datetime:
        return min(self.times)

    @property
    def last_at(self) -> dt.datetime:
        return max(self.times)


_UPSERT = f"""
WITH up AS (
    INSERT INTO iot_alert (terminal_id, person_id, kind, state, area_id, position, accuracy_m, raised_at,
                           received_at, last_report_at, repeats, version)
    SELECT u.terminal_id, t.person_id, u.kind, 'new', COALESCE(iot_home_area(t.person_id), gis_deepest_area(p.geom)),
           p.geom, u.accuracy, u.first_at, now(), u.last_at, u.reports - 1, 1
    FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::timestamptz[], %s::int[],
                %s::float8[], %s::float8[], %s::float8[])
         AS u(terminal_id, kind, first_at, last_at, reports, lon, lat, accuracy)
    JOIN iot_terminal t ON t.id = u.terminal_id
    CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS geom) p
    ON CONFLICT (terminal_id, kind) WHERE {_OPEN}
    DO UPDATE SET repeats = iot_alert.repeats + EXCLUDED.repeats + 1,
                  last_report_at = GREATEST(iot_alert.last_report_at, EXCLUDED.last_report_at),
                  position = COALESCE(EXCLUDED.position, iot_alert.position),
                  accuracy_m = CASE WHEN EXCLUDED.position IS NULL THEN iot_alert.accuracy_m
                                    ELSE EXCLUDED.accuracy_m END,
                  version = iot_alert.version + 1
    RETURNING id, terminal_id, kind, state, area_id, xmax = 0 AS created
)
SELECT up.id, up.terminal_id, up.kind, up.state, a.code, up.created
FROM up LEFT JOIN gis_core_area a ON a.id = up.area_id
"""


def _close_returning(sql: str) -> str:
    """``sql`` (an UPDATE of iot_alert … RETURNING id, terminal_id, kind, state, area_id)
    with the area code joined, as AlertChange rows."""
    return (f"WITH up AS ({sql}) SELECT up.id, up.terminal_id, up.kind, up.state, a.code "
            "FROM up LEFT JOIN gis_core_area a ON a.id = up.area_id")


class AlertBatch:
    """The alerts one ingest batch raises. Alarms are gathered and written in one
    statement at the end; zone flips (rare, and order matters: out then back in within
    a batch) are written as they come."""

    def __init__(self) -> None:
        self._raises: dict[tuple[int, str], _Raise] = {}
        self._heard: dict[int, dt.datetime] = {}
        self.changes: list[AlertChange] = []

    def raise_(self, terminal_id: int, kind: str, time: dt.datetime, report: Report | None) -> None:
        position = (report.lon, report.lat, report.accuracy_m) if report is not None and report.has_position else None
        pending = self._raises.get((terminal_id, kind))
        if pending is None:
            self._raises[(terminal_id, kind)] = _Raise(terminal_id, kind, [time], position)
            return
        pending.times.append(time)
        pending.position = position or pending.position

    def zone_left(self, terminal_id: int, time: dt.datetime, report: Report) -> None:
        self.changes += _upsert([_Raise(terminal_id, AlertKind.LEFT_ZONE, [time],
                                        (report.lon, report.lat, report.accuracy_m))])

    def zone_back(self, terminal_id: int, time: dt.datetime) -> None:
        """Back inside: noted on the open left-zone alert, which closes by itself when
        nobody has taken it up yet (state new)."""
        with connection.cursor() as cursor:
            cursor.execute(_close_returning(f"""
                UPDATE iot_alert SET state = CASE WHEN state = 'new' THEN 'resolved' ELSE state END,
                       closed_at = CASE WHEN state = 'new' THEN now() END, version = version + 1
                WHERE terminal_id = %s AND kind = 'left_zone' AND {_OPEN}
                RETURNING id, terminal_id, kind, state, area_id"""), [terminal_id])
            changes = [AlertChange(r[0], r[2], r[3], "back_inside", r[4], r[1]) for r in cursor.fetchall()]
        _events_insert([(c.id, time, c.action, c.state, time) for c in changes], dedupe=False)
        self.changes += changes

    def heard(self, terminal_id: int, time: dt.datetime) -> None:
        self._heard[terminal_id] = time

    def commit(self) -> list[AlertChange]:
        self.changes += _upsert(list(self._raises.values()))
        self.changes += _silent_resolve(self._heard)
        return self.changes


def _upsert(raises: list[_Raise]) -> list[AlertChange]:
    if not raises:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT, [
            [r.terminal_id for r in raises], [str(r.kind) for r in raises], [r.first_at for r in raises],
            [r.last_at for r in raises], [len(r.times) for r in raises],
            [r.position and r.position[0] for r in raises], [r.position and r.position[1] for r in raises],
            [r.position and r.position[2] for r in raises]])
        rows = cursor.fetchall()
    pending = {(r.terminal_id, r.kind): r for r in raises}
    changes, events = [], []
    for alert_id, terminal_id, kind, state, code, created in rows:
        times = sorted(pending[(terminal_id, kind)].times)
        if created:
            events.append((alert_id, times[0], "raised", state, times[0]))
            repeats = times[1:]
        else:
            repeats = times
        if kind in URGENT_KINDS:  # each SOS press, each fall, in the log
            events += [(alert_id, t, "repeat", state, t) for t in repeats]
        if created or kind in URGENT_KINDS:  # a low battery still low: counted, not announced again
            changes.append(AlertChange(alert_id, kind, state, "raised" if created else "repeat", code, terminal_id))
    _events_insert(events, dedupe=True)
    return changes


def _silent_resolve(heard: dict[int, dt.datetime]) -> list[AlertChange]:
    """A silent terminal heard from again: its silent alert resolves by itself."""
    if not heard:
        return []
    with connection.cursor() as cursor:
        cursor.execute(_close_returning(f"""
            UPDATE iot_alert SET state = 'resolved', closed_at = now(), version = version + 1
            WHERE kind = 'silent' AND {_OPEN} AND terminal_id = ANY(%s)
            RETURNING id, terminal_id, kind, state, area_id"""), [list(heard)])
        changes = [AlertChange(r[0], r[2], r[3], "heard", r[4], r[1]) for r in cursor.fetchall()]
    _events_insert([(c.id, heard[c.terminal_id], c.action, c.state, None) for c in changes], dedupe=False)
    return changes


def _events_insert(events: list[tuple], *, dedupe: bool) -> None:
    """(alert id, at, action, state, device time) rows; ``dedupe`` skips reports already
    recorded (a redelivered message)."""
    if not events:
        return
    conflict = "ON CONFLICT (alert_id, device_time) WHERE action IN ('raised', 'repeat') DO NOTHING" if dedupe else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO iot_alertevent (alert_id, at, action, state, note, device_time)
                SELECT a, now(), act, st, '', dt FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::timestamptz[])
                AS u(a, act, st, dt) {conflict}""",
            [[e[0] for e in events], [e[2] for e in events], [e[3] for e in events], [e[4] for e in events]])


def alerts_raise_silent(*, now: dt.datetime | None = None) -> list[AlertChange]:
    """Open a silent alert for each active terminal not heard from for
    IOT_SILENT_MINUTES (terminals that never reported are not watched yet)."""
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(minutes=settings.IOT_SILENT_MINUTES)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            WITH up AS (
                INSERT INTO iot_alert (terminal_id, person_id, kind, state, area_id, position, accuracy_m, raised_at,
                                       received_at, last_report_at, repeats, version)
                SELECT t.id, t.person_id, 'silent', 'new',
                       COALESCE(iot_home_area(t.person_id), gis_deepest_area(t.last_position)),
                       t.last_position, t.last_accuracy_m, t.last_seen_at, now(), t.last_seen_at, 0, 1
                FROM iot_terminal t
                WHERE t.status = 'active' AND t.last_seen_at < %s
                ON CONFLICT (terminal_id, kind) WHERE {_OPEN} DO NOTHING
                RETURNING id, terminal_id, kind, state, area_id, raised_at
            )
            SELECT up.id, up.terminal_id, up.kind, up.state, a.code, up.raised_at
            FROM up LEFT JOIN gis_core_area a ON a.id = up.area_id""", [cutoff])
        rows = cursor.fetchall()
    _events_insert([(r[0], r[5], "raised", r[3], None) for r in rows], dedupe=False)
    changes = [AlertChange(r[0], r[2], r[3], "raised", r[4], r[1]) for r in rows]
    alerts_notify(changes)
    return changes


def alerts_notify(changes: list[AlertChange]) -> None:
    """Announce changes to the consoles and to ``gis_core.events.alert_changed`` (the
    notifications queue their work in this transaction); PostgreSQL delivers
    notifications only if the transaction commits."""
    if not changes:
        return
    from iot.serializers import alert_rows  # the list's serializer (which needs the services, which need us)

    with translation.override(settings.LANGUAGE_CODE):  # the stream relabels for other languages (iot/live.py)
        rows = alert_rows({c.id for c in changes})
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, p) FROM unnest(%s::text[]) AS p",
                       [CHANNEL, [c.payload(rows.get(c.id)) for c in changes]])
    alert_changed.send(sender=AlertChange, changes=changes)

