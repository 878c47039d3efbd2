"""Benchmark: building vector tiles on the 1,000,000-person demo district.

    .venv/bin/python bench/tiles.py [--runs 30]

For a dense building tile at z14 and at z16, in the same run:
- bare SQL: a hand-written ST_AsMVT over assets_building for that tile (same attributes,
  the same buffered envelope, no access scoping), through a plain psycopg connection
  with the settings Django's has (binary results, no automatic prepared statements) and
  no parallel plan (the endpoint draws tiles serially too) — the baseline;
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
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.database import bare_connection, use_bench_database
from bench.lib.report import Results
from bench.lib.timing import interleaved, p50, summary

TARGET_RATIO = 1.2
TARGET_HIT_MS = 2

BARE_SQL = """
SELECT ST_AsMVT(t.*, 'buildings', 4096, 'geom', 'id') FROM (
    SELECT b.id, b.category, b.is_key, b.resident_count{detail},
           ST_AsMVTGeom(ST_Transform(b.footprint, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4096, 64, true) AS geom
    FROM assets_building b
    WHERE b.footprint && %(envelope)s::geometry
) t
"""


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


def bench_zoom(z: int, client, bare, runs: int, results: Results) -> None:
    """The densest building tile at ``z``: bare SQL, uncached endpoint, cache hits."""
    import mapbox_vector_tile
    from django.db import connection

    from tiles.tilemath import tile_envelope_4326

    z, x, y = densest_tile(z)
    url = f"/tiles/buildings/{z}/{x}/{y}.pbf"
    detail = ", b.name, b.floors, b.address" if z >= 15 else ""
    sql = BARE_SQL.format(detail=detail)
    envelope = tile_envelope_4326(z, x, y, margin=64 / 4096).hexewkb.decode()
    params = {"z": z, "x": x, "y": y, "envelope": envelope}

    def run_bare(i: int = 0):
        with bare.cursor() as cursor:
            cursor.execute(sql, params, binary=True)
            return cursor.fetchone()[0]

    def drop_cached(i: int):
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM tiles_tilecache WHERE layer = 'buildings' AND z = %s AND x = %s AND y = %s",
                           [z, x, y])

    def run_uncached(i: int):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, response.status_code

    size = len(run_bare())
    client.get(url)  # warm: connection, session, PostGIS loaded
    run_bare()
    times = interleaved(runs, {"bare": run_bare, "uncached": (drop_cached, run_uncached)})
    bare_times, uncached_times = times["bare"], times["uncached"]
    hit_times = cache_hits(client, z, x, y, rounds=max(3, runs // 4))
    features = mapbox_vector_tile.decode(client.get(url).content)["buildings"]["features"]
    ratio = p50(uncached_times) / p50(bare_times)
    print(f"\nz{z}/{x}/{y}: {len(features):,} buildings, {size / 1024:.0f} KiB")
    print(f"  bare ST_AsMVT SQL        {summary(bare_times)}")
    print(f"  endpoint, uncached       {summary(uncached_times)}   ratio to bare {ratio:.2f} "
          f"(target ≤ {TARGET_RATIO})")
    print(f"  endpoint, cache hit      {summary(hit_times)}   (target p50 ≤ {TARGET_HIT_MS} ms)")
    results.ratio(f"z{z} tile, uncached, p50", p50(uncached_times), p50(bare_times), unit="ms",
                  against="bare ST_AsMVT SQL", target=TARGET_RATIO, digits=2)
    results.figure(f"z{z} tile, cache hit, p50", p50(hit_times), unit="ms", target=TARGET_HIT_MS, digits=2,
                   note="no baseline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    bench_url = use_bench_database()

    from django.db import connection
    from django.test import Client

    from assets.models import Building
    from gis_core.models import User
    from tiles.layers import layer_for
    from tiles.mvt import tile_sql

    admin = User.objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    results = Results()
    print(f"buildings in grid_bench: {Building.objects.count():,}")
    print(f"{'':24}{'':>4}  timings over {args.runs} runs")
    with bare_connection(bench_url) as bare:
        # Like the endpoint's statement (tiles.mvt.render_tile), the bare one runs without
        # parallel workers: PostgreSQL may plan it as a parallel seq scan, which on two
        # cores is 3-7× slower than the GiST scan both should use; compare like with like.
        bare.execute("SET max_parallel_workers_per_gather = 0")
        for z in (14, 16):
            bench_zoom(z, client, bare, args.runs, results)
    with connection.cursor() as cursor:
        sql, params = tile_sql(layer_for("buildings"), admin, *densest_tile(16))
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print("\nplan of the endpoint's tile query at z16 (the tile filter must be an index scan):")
    print("\n".join("  " + line for line in plan.splitlines() if "Index" in line or "Scan" in line))
    results.print()


if __name__ == "__main__":
    main()
