"""Benchmark: what a day of positions costs on disk, and downsampling it into the history.

    .venv/bin/python bench/positions_retention.py [--terminals 300] [--hours 6] [--every 10]

On the bench database (BENCH_DATABASE, migrated to this checkout), a scratch day partition
far ahead (2099-01-01, iot_position_y2099m01d01) is filled with ``terminals`` × one fix
every ``every`` seconds for ``hours`` hours (realistic columns: a walk near Kunming, the
cell, zone, battery …; the terminal ids of iot_terminal, so the copy goes in its steps of
terminals). Measured:
- bytes per row of the full partition (pg_total_relation_size: heap, primary key, GiST)
  and of the history it becomes (one fix a minute);
- the retention's copy (iot.retention: detach, then the downsampling INSERT … SELECT per
  step of terminals) against a baseline measured in the same run: copying the same rows
  whole (CREATE TABLE AS), i.e. reading and writing the day once without downsampling.
Everything the run creates is dropped at the end (also on failure or SIGTERM).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.lib.database import use_bench_database
from bench.lib.report import Results, say

DAY = dt.date(2099, 1, 1)
NAME = "iot_position_y2099m01d01"
HISTORY = "iot_position_history_y2099m01"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--terminals", type=int, default=300)
    parser.add_argument("--hours", type=float, default=6)
    parser.add_argument("--every", type=int, default=10, help="seconds between a terminal's fixes")
    args = parser.parse_args()
    use_bench_database()
    from django.db import connection

    from iot.retention import _archive, _detach

    def sql(query, params=None):
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    results = Results()
    try:
        [(created,)] = sql("SELECT iot_position_day_partition(%s)", [DAY])
        if created is None:
            sys.exit(f"{NAME} exists already (a run that was killed?): drop it first")
        ids = [pk for (pk,) in sql("SELECT id FROM iot_terminal ORDER BY id LIMIT %s", [args.terminals])]
        ids += list(range(10**12, 10**12 + args.terminals - len(ids)))  # if there are fewer terminals
        steps = int(args.hours * 3600 // args.every)
        say(f"filling {NAME}: {len(ids):,} terminals × {steps:,} fixes …")
        start = time.perf_counter()
        sql("""INSERT INTO iot_position (terminal_id, time, received_at, geom, accuracy_m, speed_kmh, course, battery,
                                         gps_fix, drawable, flags, area_id, zone, format)
               SELECT t, at, at + interval '2 s',
                      ST_SetSRID(ST_MakePoint(102.70 + (t %% 1000) * 1e-4 + sin(s / 50.0) * 1e-3,
                                              25.04 + (t %% 977) * 1e-4 + cos(s / 70.0) * 1e-3), 4326),
                      5 + (s %% 20), (s %% 7) * 0.8, (s * 13) %% 360, 90 - s / 200, true, true, '',
                      530103001001 + t %% 40, CASE WHEN s %% 50 = 0 THEN 'near' ELSE 'inside' END, 'watch3g'
               FROM unnest(%s::bigint[]) t, generate_series(0, %s - 1) s,
                    LATERAL (SELECT %s::timestamptz + s * %s * interval '1 s' AS at) a""",
            [ids, steps, dt.datetime(2099, 1, 1, tzinfo=dt.UTC), args.every])
        say(f"  {time.perf_counter() - start:.1f} s")
        sql(f"VACUUM ANALYZE {NAME}")
        [(rows, total, heap, indexes)] = sql(
            "SELECT count(*), pg_total_relation_size(%s), pg_relation_size(%s), pg_indexes_size(%s) FROM " + NAME,
            [NAME, NAME, NAME])
        say(f"full: {rows:,} rows, {total / 2**20:,.1f} MB: heap {heap / rows:.0f} + indexes {indexes / rows:.0f} "
            f"= {total / rows:.0f} bytes/row")

        start = time.perf_counter()
        sql(f"CREATE TABLE bench_positions_copy AS SELECT * FROM {NAME}")
        baseline = time.perf_counter() - start
        sql("DROP TABLE bench_positions_copy")

        _detach(NAME, say)
        from iot.retention import _SAMPLED, _terminal_steps

        after, upto = _terminal_steps()[0]
        plan = sql("EXPLAIN " + _SAMPLED.format(table=NAME), {
            "interval": 60, "after": after, "upto": upto, "keep_from": dt.datetime(2098, 6, 1, tzinfo=dt.UTC),
            "before": dt.datetime(2100, 1, 1, tzinfo=dt.UTC), "keep": dt.timedelta(minutes=10)})
        say("the downsampling of one step:\n  " + "\n  ".join(line for (line,) in plan))
        start = time.perf_counter()
        written = _archive(NAME, keep_from=dt.datetime(2098, 6, 1, tzinfo=dt.UTC), progress=lambda line: None)
        copy = time.perf_counter() - start
        sql(f"VACUUM ANALYZE {HISTORY}")
        [(history_total,)] = sql("SELECT pg_total_relation_size(%s)", [HISTORY])
        say(f"history: {written:,} rows, {history_total / 2**20:,.1f} MB = {history_total / written:.0f} bytes/row")

        results.ratio("downsampling a day into the history (iot.retention)", copy * 1000 / rows * 1e6, baseline * 1000 / rows * 1e6,
                      unit="ms per million rows", against="copying it whole", digits=0,
                      note=f"{rows:,} rows, {len(ids):,} terminals, a fix every {args.every} s")
        results.ratio("history bytes per kept fix", history_total / written, total / rows, unit="bytes",
                      against="full partition", digits=0)
        results.ratio("history per day of a terminal", history_total / len(ids) * 24 / args.hours / 1024,
                      total / len(ids) * 24 / args.hours / 1024, unit="KB", against="full fixes", digits=0)
    finally:
        for table in (NAME, HISTORY, "bench_positions_copy"):
            sql(f"DROP TABLE IF EXISTS {table}")
    results.print()


if __name__ == "__main__":
    main()
