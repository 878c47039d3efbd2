"""Positions over time: daily partitions created ahead (an existing monthly layout left as
it is, fixes waiting in the default partition moved in); retention downsamples a whole old
day into the history — one fix a minute per terminal, every fix round an alert — and drops
it, resuming after a crash without losing or doubling a fix; track playback reads both
tables in time order, one day's track touching one day's partition through its key.
Every call is given ``now`` (years ahead: no partition of the test database is there)."""
from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.db import connection

from iot.retention import _archive, _detach, positions_partitions_ensure, positions_retain

NOW = dt.datetime(2031, 3, 20, 12, 0, tzinfo=dt.UTC)
OLD_DAY = dt.datetime(2031, 3, 10, tzinfo=dt.UTC)  # more than IOT_POSITION_FULL_DAYS (7) before NOW
OLD_NAME = "iot_position_y2031m03d10"


def sql(query: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def fixes(terminal, start: dt.datetime, *, minutes: int, every: int = 10, drawable: bool = True) -> list[dt.datetime]:
    """A fix every ``every`` seconds for ``minutes`` minutes from ``start``; their times."""
    times = [start + dt.timedelta(seconds=s) for s in range(0, minutes * 60, every)]
    sql("""INSERT INTO iot_position (terminal_id, time, received_at, geom, accuracy_m, gps_fix, drawable, flags,
                                     zone, format)
           SELECT %s, t, t, CASE WHEN %s THEN ST_SetSRID(ST_MakePoint(102.7, 25.04), 4326) END, 8, %s, %s,
                  CASE WHEN %s THEN '' ELSE 'no_fix' END, '', 'native'
           FROM unnest(%s::timestamptz[]) t""", [terminal.pk, drawable, drawable, drawable, drawable, times])
    return times


def partition_of(terminal, time: dt.datetime) -> str | None:
    rows = sql("SELECT tableoid::regclass::text FROM iot_position WHERE terminal_id = %s AND time = %s",
               [terminal.pk, time])
    return rows[0][0] if rows else None


def history(terminal) -> list[dt.datetime]:
    return [t for (t,) in sql("SELECT time FROM iot_position_history WHERE terminal_id = %s ORDER BY time",
                              [terminal.pk])]


def test_daily_partitions_are_created_ahead_and_take_in_their_fixes_from_the_default(elders):
    terminal = elders.terminals["pB"]
    [early] = fixes(terminal, NOW + dt.timedelta(days=3, hours=5), minutes=1, every=60)
    assert partition_of(terminal, early) == "iot_position_default"  # no partition there yet

    created = positions_partitions_ensure(now=NOW)

    days = [f"iot_position_y2031m03d{d:02d}" for d in range(19, 28)]  # yesterday … 7 days ahead
    assert created == [*days, "iot_position_history_y2031m03", "iot_position_history_y2031m04"]
    assert partition_of(terminal, early) == "iot_position_y2031m03d23"
    bounds = dict((name, (lo, hi)) for name, lo, hi in sql("SELECT * FROM iot_partitions('iot_position')"))
    assert bounds["iot_position_y2031m03d23"] == (dt.datetime(2031, 3, 23, tzinfo=dt.UTC),
                                                   dt.datetime(2031, 3, 24, tzinfo=dt.UTC))
    assert positions_partitions_ensure(now=NOW) == []  # the hourly call again: nothing to do


def test_an_existing_monthly_partition_stays_and_its_days_are_skipped(elders):
    terminal = elders.terminals["pB"]
    sql("SELECT iot_position_partition('2031-05-01')")  # the layout made before daily partitions
    [may] = fixes(terminal, dt.datetime(2031, 5, 28, 8, tzinfo=dt.UTC), minutes=1, every=60)

    created = positions_partitions_ensure(now=dt.datetime(2031, 5, 28, 9, tzinfo=dt.UTC))

    # April 30 (yesterday of May 1st is not asked; the 27th is): only June's days are new
    assert [n for n in created if n.startswith("iot_position_y")] == [
        "iot_position_y2031m06d01", "iot_position_y2031m06d02", "iot_position_y2031m06d03",
        "iot_position_y2031m06d04"]
    assert partition_of(terminal, may) == "iot_position_y2031m05"
    # the database's own monthly partition of this month, from before the migration, is attached still
    this_month = dt.datetime.now(dt.UTC)
    assert any(name == f"iot_position_y{this_month:%Y}m{this_month:%m}"
               for name, lo, hi in sql("SELECT * FROM iot_partitions('iot_position')"))


def _old_day_with_an_alert(elders, world):
    """Terminal pA: two hours of fixes every 10 s on OLD_DAY, an SOS at 01:00 reported until
    01:00:30, and fixes without GPS lock at 01:05 and at 00:30; pB: the same two hours."""
    from iot.models import Alert

    a, b = elders.terminals["pA"], elders.terminals["pB"]
    positions_partitions_ensure(now=OLD_DAY + dt.timedelta(hours=12), days_ahead=0)
    times_a = fixes(a, OLD_DAY, minutes=120)
    times_b = fixes(b, OLD_DAY, minutes=120)
    blind = [*fixes(a, OLD_DAY + dt.timedelta(minutes=65, seconds=5), minutes=1, every=60, drawable=False),
             *fixes(a, OLD_DAY + dt.timedelta(minutes=30, seconds=5), minutes=1, every=60, drawable=False)]
    raised = OLD_DAY + dt.timedelta(hours=1)
    Alert.objects.create(terminal=a, person=world.people["pA"], kind="sos", area=world.areas["A"], raised_at=raised,
                         received_at=raised, last_report_at=raised + dt.timedelta(seconds=30))
    keep = dt.timedelta(minutes=10)
    expected_a = sorted({t for t in times_a if t.second == 0}  # the first of each minute
                        | {t for t in [*times_a, blind[0]] if raised - keep <= t <= raised + dt.timedelta(seconds=30) + keep})
    expected_b = [t for t in times_b if t.second == 0]
    return a, b, expected_a, expected_b


def test_retention_downsamples_an_old_day_keeps_every_fix_round_an_alert_and_drops_it(elders, world):
    a, b, expected_a, expected_b = _old_day_with_an_alert(elders, world)

    report = positions_retain(now=NOW)

    assert history(a) == expected_a  # 120 minutes + every fix from 00:50 to 01:10:30 (one blind)
    assert history(b) == expected_b
    assert report.archived[OLD_NAME] == len(expected_a) + len(expected_b)
    assert sql("SELECT to_regclass(%s)", [OLD_NAME]) == [(None,)]
    assert positions_retain(now=NOW).archived == {}  # the next day's run: nothing left to do
    assert history(a) == expected_a


def test_a_run_that_died_after_the_detach_or_the_copy_resumes_and_loses_nothing(elders, world):
    a, b, expected_a, expected_b = _old_day_with_an_alert(elders, world)
    _detach(OLD_NAME, lambda line: None)          # died after the detach …
    late = OLD_DAY + dt.timedelta(hours=3)        # … a late fix of that day arrives meanwhile …
    fixes(b, late, minutes=1, every=60)
    assert partition_of(b, late) == "iot_position_default"
    _archive(OLD_NAME, keep_from=NOW - dt.timedelta(days=365), progress=lambda line: None)  # … and after the copy

    report = positions_retain(now=NOW)

    assert history(a) == expected_a  # copied again, not doubled
    assert history(b) == [*expected_b, late]
    assert sql("SELECT to_regclass(%s)", [OLD_NAME]) == [(None,)]
    assert report.default_rows == 1
    assert sql("SELECT count(*) FROM iot_position_default WHERE time < %s", [NOW]) == [(0,)]


def test_history_older_than_its_days_is_dropped_and_a_dry_run_changes_nothing(elders, world, capsys):
    _old_day_with_an_alert(elders, world)
    sql("SELECT iot_position_history_partition('2030-01-01')")  # 14 months before NOW

    report = positions_retain(now=NOW, dry_run=True, progress=print)
    out = capsys.readouterr().out
    assert f"{OLD_NAME}: would detach, downsample" in out and "iot_position_history_y2030m01: would drop" in out
    assert report.archived == {} and sql("SELECT to_regclass(%s) IS NOT NULL", [OLD_NAME]) == [(True,)]

    report = positions_retain(now=NOW)
    assert "iot_position_history_y2030m01" in report.history_dropped  # (and the test database's own months)
    assert "iot_position_history_y2031m03" not in report.history_dropped
    assert sql("SELECT to_regclass('iot_position_history_y2030m01')") == [(None,)]


def test_the_command_reports_progress(elders, world, capsys):
    call_command("iot_positions_retain", "--dry-run")
    assert "would archive" in capsys.readouterr().out


def test_track_playback_reads_history_then_full_fixes_in_time_order(elders, world, settings):
    from iot.selectors import track

    a, b, expected_a, expected_b = _old_day_with_an_alert(elders, world)
    positions_retain(now=NOW)
    positions_partitions_ensure(now=NOW)
    recent = fixes(a, NOW - dt.timedelta(hours=1), minutes=2)

    rows = track(a, since=OLD_DAY, until=NOW)

    drawable_history = [t for t in expected_a if t.second != 5]  # the blind fix is kept but never drawn
    assert [row[0] for row in rows] == [*drawable_history, *recent]
    # the API's playback of the old day (as the elder's grid leader): the history's fixes
    features = world.client("leader_a").get(f"/api/v1/terminals/{a.pk}/track/", {
        "since": OLD_DAY.isoformat(), "until": (OLD_DAY + dt.timedelta(days=1)).isoformat()}).json()["features"]
    assert [dt.datetime.fromisoformat(f["properties"]["time"]) for f in features[1:]] == drawable_history


def test_one_days_track_prunes_to_that_days_partition_and_reads_its_key(elders, world):
    from iot.selectors import TRACK_SQL

    a, *_ = _old_day_with_an_alert(elders, world)
    sql("ANALYZE iot_position")
    # With a few thousand rows the planner may rightly prefer reading a whole tiny table;
    # without sequential scans the plan shows what it does at scale: the key, one partition.
    sql("SET LOCAL enable_seqscan = off")
    plan = "\n".join(line for (line,) in sql("EXPLAIN " + TRACK_SQL, {
        "terminal": a.pk, "since": OLD_DAY + dt.timedelta(hours=1), "until": OLD_DAY + dt.timedelta(hours=2),
        "limit": 20000}))
    touched = {word.strip('"') for word in plan.replace("(", " ").split() if word.startswith("iot_position_y")}
    assert touched == {OLD_NAME, f"{OLD_NAME}_pkey"}, plan
    assert f"Index Scan using {OLD_NAME}_pkey" in plan, plan
    assert "iot_position_history_y2031m03_pkey" in plan, plan  # the history side also by its key


def test_the_worker_clock_runs_partitions_hourly_and_retention_daily_on_its_own_queue(db):
    from procrastinate.contrib.django import app

    import iot.tasks

    periodic = {task.periodic_id: (task.task.name, task.task.queue, task.cron)
                for task in app.periodic_registry.periodic_tasks.values()}
    assert periodic["iot-partitions"] == ("iot.partitions_ensure", "maintenance", "11 * * * *")
    assert periodic["iot-retain"] == ("iot.positions_retain", "maintenance", "17 19 * * *")
    # the job itself (inside fresh_connection, which would close the test's transaction)
    assert iot.tasks.partitions_ensure.func.__wrapped__(timestamp=0) is not None
    today = dt.datetime.now(dt.UTC)
    assert any(lo <= today < hi for _, lo, hi in sql("SELECT * FROM iot_partitions('iot_position')"))
