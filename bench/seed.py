"""Benchmark: load the demo district with N people (default 1,000,000) into a scratch
database and report wall time, rows per table and rows per second.

    .venv/bin/python bench/seed.py [--people 1000000] [--districts 1] [--seed 2026] [--drop]

--districts K: the city of K such districts side by side (``seed_demo --districts``),
--people in each: 10 districts of 1,000,000 is the city benchmark's database (~9 GB).

The database ``grid_bench`` on the embedded cluster (var/services.json) is dropped,
created and migrated first; it is kept afterwards for other benchmarks unless --drop.
The other benchmarks of this checkout wait while it runs (bench/lib/database.py).
"""
from __future__ import annotations

import argparse
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.lib.database import DATABASE, database_recreate, seeding
from bench.lib.processes import exit_on_sigterm
from bench.lib.report import Results
from devstack import embedded


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--districts", type=int, default=1, help="districts of --people each")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--drop", action="store_true", help=f"drop {DATABASE} afterwards")
    return parser.parse_args()


def table_counts(tables: list[str]) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts


def main() -> None:
    args = parse_args()
    exit_on_sigterm()
    with seeding():
        seed(args)


def seed(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = database_recreate()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from demo.loader import COPIED_MODELS

    print(f"database {DATABASE}: migrating …", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    tables = ["gis_core_area", "gis_core_user", *(m._meta.db_table for m in COPIED_MODELS)]
    before = table_counts(tables)

    print(f"seed_demo --people {args.people:,} --districts {args.districts} --seed {args.seed}", flush=True)
    summary = io.StringIO()
    started = time.perf_counter()
    call_command("seed_demo", people=args.people, districts=args.districts, seed=args.seed, replace=True,
                 stdout=summary)
    elapsed = time.perf_counter() - started

    after = table_counts(tables)
    inserted = {t: after[t] - before[t] for t in tables}
    total = sum(inserted.values())
    print()
    print(summary.getvalue().rstrip())
    print()
    print(f"{'table':<26}{'rows inserted':>15}")
    for table, rows in inserted.items():
        print(f"{table:<26}{rows:>15,}")
    print(f"{'total':<26}{total:>15,}")
    print()
    print(f"wall time        {elapsed:10.1f} s   (seed_demo: generation + load + ANALYZE)")
    print(f"throughput       {total / elapsed:10,.0f} rows/s")
    results = Results()
    city = f" --districts {args.districts}" if args.districts > 1 else ""
    results.figure(f"seed_demo --people {args.people:,}{city}", total / elapsed, unit="rows/s", digits=0,
                   note=f"{total:,} rows in {elapsed:.1f} s; no baseline")
    if args.drop:
        from django.db import connections

        connections.close_all()
        embedded.drop_database(DATABASE)
        print(f"dropped {DATABASE}")
    else:
        print(f"kept database {DATABASE} for later benchmarks (--drop removes it)")
    results.print()


if __name__ == "__main__":
    main()
