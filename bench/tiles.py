#!/usr/bin/env python
"""Benchmark: building vector tiles on the 1,000,000-person demo district.

    .venv/bin/python bench/tiles.py [--runs 30]

For a dense building tile at z14 and at z16, in the same run:
- bare SQL: a hand-written ST_AsMVT over assets_building for that tile (same attributes,
  the same buffered envelope, no access scoping), through a plain psycopg connection
  with the settings Django's has (binary results, no automatic prepared statements) —
  the baseline;
- uncached endpoint: GET /tiles/buildings/z/x/y.pbf as the district administrator through
  Django (session, scoping, rendering, storing in the cache), the tile's cache entry
  dropped before each run;
- cache hit: requests answered from the tile cache, measured as a map loads them: the
  cached tiles around the dense one requested back to back.
Targets (issue 3): uncached ≤ 1.2 × bare SQL; cache hit p50 ≤ 2 ms.

Needs the database grid_bench (`.venv/bin/python bench/seed.py`).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import use_bench_database

BARE_SQL = """
SELECT ST_AsMVT(t.*, 'buildings', 4096, 'geom', 'id') FROM (
    SELECT b.id, b.category, b.is_key, b.resident_count{detail},
           ST_AsMVTGeom(ST_Transform(b.footprint, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4096, 64, true) AS geom
    FROM assets_building b
    WHERE b.footprint && %(envelope)s::geometry
) t
"""


def interleaved(runs: int, steps: dict) -> dict[str, list[float]]:
    """Milliseconds of each step over ``runs`` rounds, the steps taking turns within each
    round so that drift in the machine's load hits them alike. A step is a function, or
    (untimed preparation, timed function)."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(runs):
        for name, step in steps.items():
            before, fn = step if isinstance(step, tuple) else (None, step)
            if before:
                before()
            started = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - started) * 1000)
    return times


def cache_hits(client, z: int, x: int, y: int, rounds: int) -> list[float]:
    """Milliseconds per request of the 5×5 tiles around (x, y), all cached first, then
    requested back to back ``rounds`` times."""
    urls = [f"/tiles/buildings/{z}/{x + dx}/{y + dy}.pbf" for dx in range(-2, 3) for dy in range(-2, 3)]
    for url in urls:
        client.get(url, headers={"Accept-Encoding": "gzip"})
    times = []
    for _ in range(rounds):
        for url in urls:
            started = time.perf_counter()
            response = client.get(url, headers={"Accept-Encoding": "gzip"})
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 204)
    return times


def summary(times: list[float]) -> str:
    p50 = statistics.median(times)
    p90 = statistics.quantiles(times, n=10)[-1]
    return f"p50 {p50:8.2f} ms   p90 {p90:8.2f} ms"


def densest_tile(z: int) -> tuple[int, int, int]:
    from django.db import connection

    from tiles.tilemath import tiles_covering

    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_X(anchor), ST_Y(anchor) FROM assets_building ORDER BY id LIMIT 20000")
        points = cursor.fetchall()
    counts: dict = {}
    for lon, lat in points:
        (x, y), = tiles_covering((lon, lat, lon, lat), z)
        counts[(x, y)] = counts.get((x, y), 0) + 1
    x, y = max(counts, key=counts.get)
    return z, x, y


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    bench_url = use_bench_database()

    import mapbox_vector_tile
    import psycopg
    from django.db import connection
    from django.test import Client

    from assets.models import Building
    from gis_core.models import User
    from tiles.tilemath import tile_envelope_4326

    admin = User.objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    bare = psycopg.connect(bench_url.replace("postgres://", "postgresql://"), autocommit=True, prepare_threshold=None)
    print(f"buildings in grid_bench: {Building.objects.count():,}")
    print(f"{'':24}{'':>4}  timings over {args.runs} runs")
    for z in (14, 16):
        z, x, y = densest_tile(z)
        url = f"/tiles/buildings/{z}/{x}/{y}.pbf"
        detail = ", b.name, b.floors, b.address" if z >= 15 else ""
        sql = BARE_SQL.format(detail=detail)
        envelope = tile_envelope_4326(z, x, y, margin=64 / 4096).hexewkb.decode()
        params = {"z": z, "x": x, "y": y, "envelope": envelope}

        def run_bare():
            with bare.cursor() as cursor:
                cursor.execute(sql, params, binary=True)
                return cursor.fetchone()[0]

        def drop_cached():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM tiles_tilecache WHERE layer = 'buildings' AND z = %s AND x = %s AND y = %s",
                               [z, x, y])

        def run_uncached():
            response = client.get(url, headers={"Accept-Encoding": "gzip"})
            assert response.status_code == 200, response.status_code

        size = len(run_bare())
        client.get(url)  # warm: connection, session, PostGIS loaded
        run_bare()
        times = interleaved(args.runs, {"bare": run_bare, "uncached": (drop_cached, run_uncached)})
        bare_times, uncached_times = times["bare"], times["uncached"]
        hit_times = cache_hits(client, z, x, y, rounds=max(3, args.runs // 4))
        features = mapbox_vector_tile.decode(client.get(url).content)["buildings"]["features"]
        ratio = statistics.median(uncached_times) / statistics.median(bare_times)
        print(f"\nz{z}/{x}/{y}: {len(features):,} buildings, {size / 1024:.0f} KiB")
        print(f"  bare ST_AsMVT SQL        {summary(bare_times)}")
        print(f"  endpoint, uncached       {summary(uncached_times)}   ratio to bare {ratio:.2f} (target ≤ 1.2)")
        print(f"  endpoint, cache hit      {summary(hit_times)}   (target p50 ≤ 2 ms)")
    from tiles.layers import layer_for
    from tiles.mvt import tile_sql

    with connection.cursor() as cursor:
        sql, params = tile_sql(layer_for("buildings"), admin, *densest_tile(16))
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print("\nplan of the endpoint's tile query at z16 (the tile filter must be an index scan):")
    print("\n".join("  " + line for line in plan.splitlines() if "Index" in line or "Scan" in line))
    bare.close()


if __name__ == "__main__":
    main()
