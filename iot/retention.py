"""Positions over time: partitions created ahead, old days downsampled into the history
and dropped (README "Elderly-care terminals", *Positions over time*). The partitioning
itself is SQL (iot/sql/0009_positions_daily.sql); this module runs it with the settings.

Retention of a whole partition older than IOT_POSITION_FULL_DAYS goes DETACH → copy into
iot_position_history → DROP. Detaching first freezes the table: a late fix of that day
arriving meanwhile goes to the default partition (archived by the next run) instead of
into a table already copied. A run that dies anywhere resumes: a detached table of ours is
found by name and copied again (the history insert is ON CONFLICT DO NOTHING), and it is
dropped only after its copy has committed.
"""
from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

# Our partitions of iot_position, daily or (made before daily ones) monthly.
PARTITION_NAME = re.compile(r"^iot_position_y(\d{4})m(\d{2})(?:d(\d{2}))?$")
TERMINALS_PER_STEP = 500         # one transaction of the copy: bounded, resumable, reported
DETACH_LOCK_TIMEOUT = "3s"       # waiting longer would queue the ingester's writes behind the DETACH
DETACH_ATTEMPTS = 20
LOCK_KEY = "iot_positions_retain"

_COLUMNS = "terminal_id, time, geom, accuracy_m, speed_kmh, drawable, flags, area_id, zone"

# One fix per terminal per interval (the first drawable one: its bucket differs from the
# previous fix's), then every fix around an alert of that terminal (device times on both
# sides: raised_at and last_report_at are the device's clock, like a fix's time). The window
# runs in the primary key's order (terminal, time), so a step reads its terminals' range of
# the key and sorts nothing. {table} is ours, never user input.
_SAMPLED = f"""
INSERT INTO iot_position_history ({_COLUMNS})
SELECT {_COLUMNS} FROM (
    SELECT {_COLUMNS}, floor(extract(epoch FROM time) / %(interval)s) AS bucket,
           lag(floor(extract(epoch FROM time) / %(interval)s)) OVER (PARTITION BY terminal_id ORDER BY time) AS previous
    FROM {{table}}
    WHERE terminal_id > %(after)s AND terminal_id <= %(upto)s AND drawable
      AND time >= %(keep_from)s AND time < %(before)s
) fixes
WHERE previous IS DISTINCT FROM bucket
ON CONFLICT DO NOTHING
"""
_AROUND_ALERTS = f"""
INSERT INTO iot_position_history ({_COLUMNS})
SELECT {", ".join("p." + c.strip() for c in _COLUMNS.split(","))}
FROM iot_alert a
JOIN {{table}} p ON p.terminal_id = a.terminal_id
                AND p.time BETWEEN a.raised_at - %(keep)s AND a.last_report_at + %(keep)s
WHERE a.terminal_id > %(after)s AND a.terminal_id <= %(upto)s
  AND p.time >= %(keep_from)s AND p.time < %(before)s
ON CONFLICT DO NOTHING
"""

_FAR_FUTURE = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)
_TERMINAL_MAX = 2**63 - 1


def _day_start(moment: dt.datetime) -> dt.datetime:
    moment = moment.astimezone(dt.UTC)
    return dt.datetime(moment.year, moment.month, moment.day, tzinfo=dt.UTC)


def positions_partitions_ensure(*, now: dt.datetime | None = None, days_ahead: int | None = None) -> list[str]:
    """Create the missing daily partitions from yesterday to ``days_ahead``
    (IOT_PARTITION_DAYS_AHEAD) days after ``now``, moving their fixes out of the default
    partition, and this and next month's history partitions. Returns the tables created."""
    days = settings.IOT_PARTITION_DAYS_AHEAD if days_ahead is None else days_ahead
    with connection.cursor() as cursor:
        cursor.execute("SELECT iot_position_partitions_ensure(%s, %s)", [days, now or timezone.now()])
        return [name for (name,) in cursor.fetchall()]


@dataclass
class RetainReport:
    archived: dict[str, int] = field(default_factory=dict)   # partition → history rows written
    default_rows: int = 0                                     # old rows moved out of the default partition
    history_dropped: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    busy: bool = False                                        # another run holds the lock


def positions_retain(*, now: dt.datetime | None = None, dry_run: bool = False,
                     progress: Callable[[str], None] = lambda line: None) -> RetainReport:
    """Downsample every whole partition of positions older than IOT_POSITION_FULL_DAYS days
    into the history, then drop it; the same for old fixes in the default partition; drop
    history partitions older than IOT_HISTORY_DAYS. ``dry_run`` writes nothing and reports
    what would be done. One run at a time (an advisory lock); safe to re-run after a crash."""
    now = now or timezone.now()
    report = RetainReport()
    full_until = _day_start(now) - dt.timedelta(days=settings.IOT_POSITION_FULL_DAYS)
    keep_from = now - dt.timedelta(days=settings.IOT_HISTORY_DAYS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            progress("another retention run holds the lock; nothing done")
            report.busy = True
            return report
    try:
        if not dry_run:
            report.created = positions_partitions_ensure(now=now)
        # a table a run that died left detached first, then each old partition in turn:
        # only one day at a time is out of playback's sight while it is copied
        for name, attached in [*((n, False) for n in _detached()), *((n, True) for n in _partitions_due(full_until))]:
            if dry_run:
                progress(f"{name}: would {'detach, ' if attached else ''}downsample (~{_estimate(name):,} rows) "
                         f"and drop")
                continue
            if attached:
                _detach(name, progress)
            report.archived[name] = _archive(name, keep_from=keep_from, progress=progress)
            with connection.cursor() as cursor:
                cursor.execute(f'DROP TABLE "{name}"')
            progress(f"{name}: dropped")
        report.default_rows = _default_retain(before=full_until, keep_from=keep_from, dry_run=dry_run,
                                              progress=progress)
        report.history_dropped = _history_retain(keep_from=keep_from, dry_run=dry_run, progress=progress)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [LOCK_KEY])
    return report


def _partitions_due(until: dt.datetime) -> list[str]:
    """Attached partitions of ours whose whole range ends by ``until``, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM iot_partitions('iot_position') WHERE hi <= %s ORDER BY lo", [until])
        return [name for (name,) in cursor.fetchall() if PARTITION_NAME.match(name)]


def _detached() -> list[str]:
    """Tables of ours no longer attached: detached by this run or by one that died."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT relname FROM pg_class
                          WHERE relkind = 'r' AND NOT relispartition AND relnamespace = 'public'::regnamespace
                            AND relname ~ '^iot_position_y[0-9]{4}m[0-9]{2}(d[0-9]{2})?$' ORDER BY relname""")
        return [name for (name,) in cursor.fetchall()]


def _estimate(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE relname = %s", [name])
        return cursor.fetchone()[0]


def _detach(name: str, progress: Callable[[str], None]) -> None:
    """DETACH (not CONCURRENTLY: PostgreSQL refuses it while the table has a default
    partition) needs the parent's ACCESS EXCLUSIVE lock for a moment; it gives up after
    DETACH_LOCK_TIMEOUT rather than queue the ingester's inserts behind it, and retries."""
    for attempt in range(1, DETACH_ATTEMPTS + 1):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{DETACH_LOCK_TIMEOUT}'")
                cursor.execute(f'ALTER TABLE iot_position DETACH PARTITION "{name}"')
            progress(f"{name}: detached")
            return
        except OperationalError:
            if attempt == DETACH_ATTEMPTS:
                raise
            progress(f"{name}: busy, retrying the detach ({attempt})")
            time.sleep(1)


def _bounds(name: str) -> tuple[dt.datetime, dt.datetime]:
    year, month, day = PARTITION_NAME.match(name).groups()
    if day:
        lo = dt.datetime(int(year), int(month), int(day), tzinfo=dt.UTC)
        return lo, lo + dt.timedelta(days=1)
    lo = dt.datetime(int(year), int(month), 1, tzinfo=dt.UTC)
    return lo, (lo + dt.timedelta(days=32)).replace(day=1)


def _history_months(lo: dt.datetime, hi: dt.datetime) -> None:
    """The history partitions of the months [lo, hi) touches (the history has no default)."""
    with connection.cursor() as cursor:
        cursor.execute("""SELECT iot_position_history_partition(m::date)
                          FROM generate_series(date_trunc('month', %s::timestamptz AT TIME ZONE 'UTC'),
                                               %s::timestamptz AT TIME ZONE 'UTC', interval '1 month') m""",
                       [lo, hi - dt.timedelta(microseconds=1)])


def _copy(table: str, *, after: int, upto: int, keep_from: dt.datetime, before: dt.datetime) -> int:
    params = {"interval": settings.IOT_HISTORY_INTERVAL, "after": after, "upto": upto, "keep_from": keep_from,
              "before": before, "keep": dt.timedelta(minutes=settings.IOT_ALERT_KEEP_MINUTES)}
    with connection.cursor() as cursor:
        cursor.execute(_SAMPLED.format(table=f'"{table}"'), params)
        written = cursor.rowcount
        cursor.execute(_AROUND_ALERTS.format(table=f'"{table}"'), params)
        return written + cursor.rowcount


def _terminal_steps() -> list[tuple[int, int]]:
    """(after, upto] ranges of terminal ids, TERMINALS_PER_STEP terminals each, covering
    every id (a fix of a terminal since deleted too)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) n FROM iot_terminal) t "
                       "WHERE n %% %s = 0 ORDER BY id", [TERMINALS_PER_STEP])
        bounds = [-_TERMINAL_MAX, *(pk for (pk,) in cursor.fetchall()), _TERMINAL_MAX]
    return list(zip(bounds, bounds[1:]))


def _archive(name: str, *, keep_from: dt.datetime, progress: Callable[[str], None]) -> int:
    """Copy a detached table's downsampled fixes into the history, a transaction per step
    of terminals. Nothing of it is kept if its whole range is older than the history."""
    lo, hi = _bounds(name)
    if hi <= keep_from:
        progress(f"{name}: older than the history's {settings.IOT_HISTORY_DAYS} days, nothing to keep")
        return 0
    _history_months(max(lo, keep_from), hi)
    written = 0
    steps = _terminal_steps()
    for done, (after, upto) in enumerate(steps, 1):
        with transaction.atomic():
            written += _copy(name, after=after, upto=upto, keep_from=keep_from, before=_FAR_FUTURE)
        progress(f"{name}: step {done}/{len(steps)}, {written:,} history rows")
    return written


def _default_retain(*, before: dt.datetime, keep_from: dt.datetime, dry_run: bool,
                    progress: Callable[[str], None]) -> int:
    """Fixes older than ``before`` in the default partition (late fixes of days already
    archived, devices whose clocks are years off): downsampled like a partition, then
    deleted, in one transaction (the default partition is small)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*), min(time) FROM iot_position_default WHERE time < %s", [before])
        count, oldest = cursor.fetchone()
        if not count:
            return 0
        if dry_run:
            progress(f"iot_position_default: would downsample and delete {count:,} rows before {before:%Y-%m-%d}")
            return count
        if before > keep_from:
            _history_months(max(oldest, keep_from), before)
            _copy("iot_position_default", after=-_TERMINAL_MAX, upto=_TERMINAL_MAX, keep_from=keep_from,
                  before=before)
        cursor.execute("DELETE FROM iot_position_default WHERE time < %s", [before])
        progress(f"iot_position_default: {count:,} old rows downsampled and deleted")
        return count


def _history_retain(*, keep_from: dt.datetime, dry_run: bool, progress: Callable[[str], None]) -> list[str]:
    """Drop history partitions whose whole month is older than IOT_HISTORY_DAYS (one
    statement each: nothing reads a month that old any more)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM iot_partitions('iot_position_history') WHERE hi <= %s ORDER BY lo",
                       [keep_from])
        names = [name for (name,) in cursor.fetchall()]
        for name in names:
            if dry_run:
                progress(f"{name}: would drop")
                continue
            cursor.execute(f'DROP TABLE "{name}"')
            progress(f"{name}: dropped")
    return names
