"""Writing a batch of MQTT messages: positions, terminal state, alerts, quarantine, counts.

``messages_ingest`` takes what the ingester received (already decoded) and commits it in
one transaction, so the ingester can acknowledge the batch afterwards and a crash at any
point loses nothing: unacknowledged messages are redelivered, and redelivered fixes are
stored once (``(terminal, time)`` is the key of a position).

Terminals are locked (``FOR UPDATE``, in id order) for the batch, so several ingesters
on the shared subscription may receive the same device's messages without racing on
its latest fix, its safe-zone streak or its open alerts.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.db import connection, transaction

from iot import alerting
from iot.formats import MalformedMessage, Report, decode
from iot.formats.base import FALL, LOW_BATTERY, REMOVED, SOS
from iot.formats.reasons import Reason
from iot.models import URGENT_KINDS, AlertKind
from iot.zones import BACK, LEFT, ZoneState, zone_step

log = logging.getLogger("iot.batch_write")

# Why a fix is not drawn, and "late" (older than the device's latest fix).
NO_FIX, ZERO, OUT_OF_RANGE, FUTURE, LATE = "no_fix", "zero", "out_of_range", "future", "late"
_TOPIC_FORMATS = {"eldercare": "native", "watch": "watch3g", "owntracks": "owntracks"}
_FLAG_ALERTS = {SOS: AlertKind.SOS, FALL: AlertKind.FALL, REMOVED: AlertKind.REMOVED, LOW_BATTERY: AlertKind.LOW_BATTERY}


@dataclass
class Message:
    """One MQTT message as received, decoded on arrival (``reports``) or not (``error``)."""

    topic: str
    payload: bytes
    received_at: dt.datetime
    mid: int = 0
    reports: list[Report] = field(default_factory=list)
    error: str | None = None          # the detail of why it cannot be used …
    error_code: str | None = None     # … and the reason's code (iot.formats.reasons)

    @property
    def format(self) -> str:
        return self.reports[0].format if self.reports else _TOPIC_FORMATS.get(self.topic.split("/", 1)[0], "unknown")

    @property
    def device(self) -> str:
        """Who sent it: the device id, or the topic when it could not be decoded."""
        return self.reports[0].device_id if self.reports else self.topic

    @property
    def urgent(self) -> bool:
        """Whether it may carry an SOS or a fall (the ingester then writes at once)."""
        return any(r.flags & {SOS, FALL} for r in self.reports)


def message_decode(topic: str, payload: bytes, *, received_at: dt.datetime | None = None, mid: int = 0) -> Message:
    message = Message(topic, payload, received_at or dt.datetime.now(dt.UTC), mid)
    try:
        message.reports = decode(topic, payload)
    except MalformedMessage as exc:
        message.error, message.error_code = str(exc), exc.code
        message.reports = exc.reports  # what was readable of it is ingested all the same
    except Exception as exc:  # a decoder's bug must not stop the ingester: keep the message
        log.exception("decoding a message on %s failed", topic)
        message.error = f"decoder failed: {type(exc).__name__}: {exc}"
        message.error_code = Reason.DECODER_FAILED
    return message


@dataclass
class IngestResult:
    outcomes: Counter = field(default_factory=Counter)  # (format, outcome) → messages or fixes
    alerts: list[alerting.AlertChange] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(n for (_, o), n in self.outcomes.items() if o == outcome)


@dataclass
class _Terminal:
    id: int
    device_id: str
    person_id: int | None
    status: str
    last_fix_at: dt.datetime | None
    zone: ZoneState
    # what this batch changes
    seen_at: dt.datetime | None = None
    battery: int | None = None
    signal: int | None = None
    fix: tuple | None = None  # (time, lon, lat, accuracy)


@dataclass
class _Fix:
    terminal: _Terminal
    report: Report
    time: dt.datetime
    received_at: dt.datetime
    flags: list[str]
    drawable: bool
    repeated: bool = False  # a duplicate of an earlier fix in the same batch
    stored: bool = False
    zone: str = ""


def messages_ingest(messages: Sequence[Message], *,
                    on_stage: Callable[[str, float], None] | None = None) -> IngestResult:
    """Commit a batch: positions, terminal state, alerts, quarantine and counters.
    ``on_stage(name, seconds)``, if given, is called after each step with its wall time
    (for benchmarks: bench/ingest.py --stages); the steps follow each other, the last
    one is the commit."""
    stage = _stage_timer(on_stage)
    result = IngestResult()
    with transaction.atomic():
        terminals = _terminals_lock({r.device_id for m in messages for r in m.reports})
        stage("terminals_lock")
        quarantine: list[tuple[Message, str, str]] = []
        reports: list[tuple[_Terminal, Report, Message]] = []
        for message in messages:
            refusal = _refusal(message, terminals)
            if message.error or refusal:
                code, detail = (message.error_code, message.error) if message.error else refusal
                quarantine.append((message, code, detail))
                result.outcomes[(message.format, "quarantined")] += 1
                if refusal or not message.reports:
                    continue
                # else a partly readable message: kept whole in quarantine, its readable part ingested
            elif not message.reports:
                result.outcomes[(message.format, "ignored")] += 1
            for report in message.reports:
                reports.append((terminals[report.device_id], report, message))
        stage("messages_check")

        fixes = _fixes_classify(reports)
        stage("fixes_classify")
        _positions_insert(fixes)
        stage("positions_insert")
        changes = alerting.AlertBatch()
        for terminal, report, message in reports:
            _terminal_observe(terminal, report, message.received_at)
        for fix in fixes:
            result.outcomes[(fix.report.format, _fix_outcome(fix))] += 1
        stage("terminal_observe")
        _zones_step(fixes, changes)
        stage("zones_step")
        _alarms_collect(reports, fixes, changes)
        for terminal in terminals.values():
            if terminal.seen_at is not None:
                changes.heard(terminal.id, terminal.seen_at)
        stage("alarms_collect")
        result.alerts = changes.commit()
        stage("alerts_commit")
        _terminals_update(terminals.values())
        stage("terminals_update")
        _quarantine_insert(quarantine)
        _counts_add(result.outcomes)
        stage("quarantine_and_counts")
        alerting.alerts_notify(result.alerts)
        stage("alerts_notify")
    stage("commit")
    return result


def _stage_timer(on_stage: Callable[[str, float], None] | None) -> Callable[[str], None]:
    """``stage(name)``: the time since the previous call (or since this one) to ``on_stage``."""
    if on_stage is None:
        return _no_stage
    last = time.perf_counter()

    def stage(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        on_stage(name, now - last)
        last = now

    return stage


def _no_stage(name: str) -> None:
    pass


def _refusal(message: Message, terminals: dict[str, _Terminal]) -> tuple[str, str] | None:
    """(reason code, detail) when a report's terminal may not report, else None."""
    for report in message.reports:
        terminal = terminals.get(report.device_id)
        if terminal is None:
            return Reason.UNKNOWN_TERMINAL, f"unknown terminal {report.device_id!r}"
        if terminal.status != "active":
            return Reason.TERMINAL_INACTIVE, f"terminal {report.device_id!r} is {terminal.status}"
    return None


def _cursor():
    """A cursor whose timestamps load with psycopg's own (C) loader instead of Django's
    wrapper of its Python one (3.5 µs a value, two values a message); the session's time
    zone is UTC (Django sets it), so they are the same aware datetimes."""
    cursor = connection.cursor()
    cursor.cursor.adapters.register_loader("timestamptz", _TIMESTAMPTZ_LOADER)
    return cursor


_TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(psycopg.postgres.types["timestamptz"].oid, psycopg.pq.Format.TEXT)


def _terminals_lock(device_ids: Iterable[str]) -> dict[str, _Terminal]:
    with _cursor() as cursor:
        cursor.execute(
            "SELECT id, device_id, person_id, status, last_fix_at, zone_state, zone_streak "
            "FROM iot_terminal WHERE device_id = ANY(%s) ORDER BY id FOR UPDATE",
            [list(device_ids)])
        return {
            row[1]: _Terminal(id=row[0], device_id=row[1], person_id=row[2], status=row[3], last_fix_at=row[4],
                              zone=ZoneState(row[5] or "inside", row[6]))
            for row in cursor.fetchall()
        }


def _fixes_classify(reports: list[tuple[_Terminal, Report, Message]]) -> list[_Fix]:
    """The fixes among the reports, in arrival order, flagged. A fix is late when it is
    older than the newest drawable fix the terminal had or has sent earlier in this batch;
    only drawable fixes move that mark (a fix dated in the future must not hold back the
    device's real ones)."""
    future = dt.timedelta(seconds=settings.IOT_FUTURE_SECONDS)
    latest = {t.id: t.last_fix_at for t, _, _ in reports}
    seen: set[tuple[int, dt.datetime]] = set()
    fixes = []
    for terminal, report, message in reports:
        if not report.has_position:
            continue
        time = report.time or message.received_at
        key = (terminal.id, time)
        if key in seen:  # the same fix twice in one batch: a duplicate, not written
            fixes.append(_Fix(terminal, report, time, message.received_at, [], False, repeated=True))
            continue
        seen.add(key)
        flags = []
        if not report.gps_fix:
            flags.append(NO_FIX)
        if report.lat == 0 and report.lon == 0:
            flags.append(ZERO)
        if not (-90 <= report.lat <= 90 and -180 <= report.lon <= 180):
            flags.append(OUT_OF_RANGE)
        if time > message.received_at + future:
            flags.append(FUTURE)
        drawable = not flags
        mark = latest[terminal.id]
        if mark is not None and time < mark:
            flags.append(LATE)
        elif drawable:
            latest[terminal.id] = time
        fixes.append(_Fix(terminal, report, time, message.received_at, flags, drawable))
    return fixes


_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS iot_staging (
    seq int, terminal_id bigint, person_id bigint, time timestamptz, received_at timestamptz,
    lon double precision, lat double precision, accuracy_m real, speed_kmh real, course real,
    battery smallint, gps_fix boolean, drawable boolean, flags text, format text
) ON COMMIT DELETE ROWS
"""

# Each fix with its grid cell and safe-zone status; a fix already stored (redelivered)
# conflicts and is not returned. The cell is gis_deepest_area's query written out as a
# lateral join: a call of that (not inlinable) function per fix costs four times as much.
# The areas whose box holds the fix are ordered deepest first before ST_Covers is tried
# (OFFSET 0 keeps that order), so it stops at the first that covers it — the cell, mostly —
# instead of testing every level (district, street, community, cell) and sorting.
_INSERT = """
INSERT INTO iot_position (terminal_id, time, received_at, geom, accuracy_m, speed_kmh, course, battery,
                          gps_fix, drawable, flags, area_id, zone, format)
SELECT s.terminal_id, s.time, s.received_at, p.geom, s.accuracy_m, s.speed_kmh, s.course, s.battery,
       s.gps_fix, s.drawable, s.flags,
       cell.id,
       CASE WHEN s.drawable THEN iot_zone_status(iot_zone_margin(z.center, z.radius_m, z.zone_polygon, p.geom),
                                                 s.accuracy_m) ELSE '' END,
       s.format
FROM iot_staging s
CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326) AS geom) p
LEFT JOIN LATERAL (SELECT c.id FROM (SELECT a.id, a.boundary FROM gis_core_area a
                                     WHERE s.drawable AND a.boundary ~ p.geom ORDER BY a.level DESC OFFSET 0) c
                   WHERE ST_Covers(c.boundary, p.geom) LIMIT 1) cell ON true
LEFT JOIN (SELECT person_id, center, radius_m, polygon AS zone_polygon FROM iot_safezone) z
       ON z.person_id = s.person_id
ORDER BY s.seq
ON CONFLICT DO NOTHING
RETURNING terminal_id, time, zone
"""


def _positions_insert(fixes: list[_Fix]) -> None:
    fixes = [f for f in fixes if not f.repeated]
    if not fixes:
        return
    with _cursor() as cursor:
        cursor.execute(_STAGING)
        with cursor.cursor.copy(
                "COPY iot_staging (seq, terminal_id, person_id, time, received_at, lon, lat, accuracy_m, speed_kmh, "
                "course, battery, gps_fix, drawable, flags, format) FROM STDIN") as copy:
            for seq, f in enumerate(fixes):
                r = f.report
                copy.write_row((seq, f.terminal.id, f.terminal.person_id, f.time, f.received_at, r.lon, r.lat,
                                r.accuracy_m, r.speed_kmh, r.course, _smallint(r.battery), r.gps_fix, f.drawable,
                                ",".join(f.flags), r.format))
        cursor.execute(_INSERT)
        stored = {(row[0], row[1]): row[2] for row in cursor.fetchall()}
    for f in fixes:
        zone = stored.get((f.terminal.id, f.time))
        if zone is not None:
            f.stored, f.zone = True, zone


def _smallint(value: int | None) -> int | None:
    return value if value is None or -32768 <= value <= 32767 else None


def _fix_outcome(fix: _Fix) -> str:
    if not fix.stored:
        return "duplicate"
    if LATE in fix.flags:
        return "late"
    return "stored" if fix.drawable else "flagged"


def _terminal_observe(terminal: _Terminal, report: Report, received_at: dt.datetime) -> None:
    if terminal.seen_at is None or received_at >= terminal.seen_at:
        terminal.seen_at = received_at
        if report.battery is not None:
            terminal.battery = max(0, min(100, report.battery))
        if report.signal is not None:
            terminal.signal = max(0, min(32767, report.signal))


def _zones_step(fixes: list[_Fix], changes: alerting.AlertBatch) -> None:
    """Hysteresis over each terminal's new, in-order, drawable fixes (arrival order is
    time order for them: late fixes are left out)."""
    fixes_needed = settings.IOT_ZONE_FIXES
    for f in fixes:
        if not (f.stored and f.drawable) or LATE in f.flags:
            continue
        t = f.terminal
        t.fix = (f.time, f.report.lon, f.report.lat, f.report.accuracy_m)
        t.zone, flip = zone_step(t.zone, f.zone, fixes=fixes_needed)
        if flip == LEFT:
            changes.zone_left(t.id, f.time, f.report)
        elif flip == BACK:
            changes.zone_back(t.id, f.time)


def _alarms_collect(reports: list[tuple[_Terminal, Report, Message]], fixes: list[_Fix],
                    changes: alerting.AlertBatch) -> None:
    """Alerts from device alarms and battery levels. A report whose fix was a
    redelivered duplicate raises nothing again; a late report raises only an SOS or a
    fall (a buffered SOS still needs an answer)."""
    fix_of = {id(f.report): f for f in fixes}
    low = settings.IOT_LOW_BATTERY
    for terminal, report, message in reports:
        fix = fix_of.get(id(report))
        if fix is not None and not fix.stored:
            continue
        late = fix is not None and LATE in fix.flags
        kinds = {_FLAG_ALERTS[flag] for flag in report.flags if flag in _FLAG_ALERTS}
        if report.battery is not None and report.battery <= low:
            kinds.add(AlertKind.LOW_BATTERY)
        time = report.time or message.received_at
        for kind in kinds:
            if late and kind not in URGENT_KINDS:
                continue
            # the alert's position only from a fix that can be drawn
            changes.raise_(terminal.id, kind, time, report if fix is None or fix.drawable else None)


_TERMINAL_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS iot_terminal_staging (
    id bigint, seen_at timestamptz, battery smallint, signal smallint, fix_at timestamptz,
    lon double precision, lat double precision, accuracy double precision, zone_state text, zone_streak smallint
) ON COMMIT DELETE ROWS
"""

_TERMINALS_UPDATE = """
UPDATE iot_terminal t SET
    last_seen_at = GREATEST(t.last_seen_at, u.seen_at),
    battery = COALESCE(u.battery, t.battery),
    signal = COALESCE(u.signal, t.signal),
    last_fix_at = COALESCE(u.fix_at, t.last_fix_at),
    last_position = COALESCE(ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326), t.last_position),
    last_accuracy_m = CASE WHEN u.fix_at IS NULL THEN t.last_accuracy_m ELSE u.accuracy END,
    last_gps_fix = CASE WHEN u.fix_at IS NULL THEN t.last_gps_fix ELSE true END,
    zone_state = u.zone_state, zone_streak = u.zone_streak
FROM iot_terminal_staging u
WHERE t.id = u.id
"""


def _terminals_update(terminals: Iterable[_Terminal]) -> None:
    """The live state of the terminals heard in this batch (COPY, then one UPDATE: cheaper
    than passing thousands of values as arrays)."""
    rows = [t for t in terminals if t.seen_at is not None]
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.execute(_TERMINAL_STAGING)
        with cursor.cursor.copy("COPY iot_terminal_staging FROM STDIN") as copy:
            for t in rows:
                fix = t.fix or (None, None, None, None)
                copy.write_row((t.id, t.seen_at, t.battery, t.signal, *fix, t.zone.settled, t.zone.streak))
        cursor.execute(_TERMINALS_UPDATE)


def _quarantine_insert(quarantine: list[tuple[Message, str, str]]) -> None:
    """Keep (message, reason code, detail) rows."""
    if not quarantine:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO iot_quarantinedmessage (received_at, topic, payload, code, reason) VALUES (%s, %s, %s, %s, %s)",
            [(m.received_at, m.topic[:300], m.payload, code, detail[:300]) for m, code, detail in quarantine])


def _counts_add(outcomes: Counter) -> None:
    if not outcomes:
        return
    today = dt.datetime.now(dt.UTC).date()
    keys = sorted(outcomes)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO iot_ingestcount (day, format, outcome, count)
            SELECT %s, f, o, n FROM unnest(%s::text[], %s::text[], %s::bigint[]) AS u(f, o, n)
            ON CONFLICT (day, format, outcome) DO UPDATE SET count = iot_ingestcount.count + EXCLUDED.count
            """,
            [today, [k[0] for k in keys], [k[1] for k in keys], [outcomes[k] for k in keys]])


def message_quarantine(message: Message, reason: str, *, code: str = Reason.NOT_INGESTED) -> None:
    """Keep one message that could not be ingested (its own transaction)."""
    with transaction.atomic():
        _quarantine_insert([(message, code, reason)])
        _counts_add(Counter({(message.format, "quarantined"): 1}))
