# noqa: N999 — a script, named after what it measures
"""Benchmark: importing 100,000 building footprints from a GeoPackage, against ogr2ogr.

    .venv/bin/python bench/import.py [--buildings 100000] [--seed 2026] [--keep]

In the database grid_bench, a GeoPackage of N building footprints (rectangles of 10–30 m,
randomly turned, with 编号/名称/地址/层数/类别 columns) is built with geopandas in a
temporary folder, inside the demo district's grid cells (in proportion to their area).
Then, in the same run:

- ogr2ogr: ``ogr2ogr -f PostgreSQL PG:… file.gpkg -nln bench_ogr_buildings -overwrite``
  loads the file into a plain table (GiST index, nothing else), before and after the import
  (the baseline is the mean of the two: the machine is shared);
- import: ``manage.py import_layer buildings file.gpkg --source bench`` (in this process),
  after deleting the bench buildings of an earlier run (source keys ``bench:…``): read,
  check, COPY into staging, grid cells derived, one INSERT … ON CONFLICT into
  assets_building with its indexes, history, tile invalidation and cell counts;
- re-import: the same file again: every row unchanged, nothing written.

Each run's CPU seconds are printed too (the client's — ogr2ogr, or this process — and its
backend's, read from /proc), with the ratios in CPU seconds: on the shared two cores the
wall times swell with whatever else runs. Then a check that every bench building got the
area gis_deepest_area() gives (a sample of 2,000), and the clean-up (bench buildings, their history and bench_ogr_buildings) unless
--keep. Target (issue 6): import ≤ 1.5 × ogr2ogr.

Needs the database grid_bench (`.venv/bin/python bench/seed.py`) and ogr2ogr (gdal-bin).
"""
from __future__ import annotations

import argparse
import io
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.cpu import process_cpu
from bench.lib.database import use_bench_database
from bench.lib.report import Results, say

SOURCE = "bench"
OGR_TABLE = "bench_ogr_buildings"
TARGET_RATIO = 1.5
CATEGORIES = ["住宅"] * 6 + ["商铺", "办公", "学校", "工厂"]
OGR2OGR_TIMEOUT_S = 1800


def pg_connection_string(url: str) -> str:
    u = urlparse(url)
    return (f"host={u.hostname} port={u.port} dbname={u.path.lstrip('/')} user={unquote(u.username or '')} "
            f"password={unquote(u.password or '')}")


def footprints_build(n: int, seed: int, folder: Path) -> Path:
    """N footprints inside the grid cells, as a GeoPackage in ``folder``."""
    import geopandas as gpd
    import numpy as np
    import shapely
    from django.db import connection

    from gis_core.spatial import metres_per_degree

    rng = np.random.default_rng(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_AsBinary(boundary) FROM gis_core_area WHERE level = 5 ORDER BY code")
        cells = shapely.from_wkb([bytes(r[0]) for r in cursor.fetchall()])
    weights = shapely.area(cells) / shapely.area(cells).sum()
    per_cell = rng.multinomial(n, weights)
    xs, ys = [], []
    for cell, k in zip(cells, per_cell, strict=True):
        x0, y0, x1, y1 = cell.bounds
        got_x, got_y = np.empty(0), np.empty(0)
        while len(got_x) < k:
            x, y = rng.uniform(x0, x1, 4 * k + 10), rng.uniform(y0, y1, 4 * k + 10)
            inside = shapely.contains_xy(cell, x, y)
            got_x, got_y = np.concatenate([got_x, x[inside]]), np.concatenate([got_y, y[inside]])
        xs.append(got_x[:k])
        ys.append(got_y[:k])
    x, y = np.concatenate(xs), np.concatenate(ys)
    width, depth, turn = rng.uniform(10, 30, n), rng.uniform(10, 20, n), rng.uniform(0, math.pi, n)
    per_lat, per_lon = metres_per_degree(y)
    corners = []
    for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1), (-1, -1)):
        dx, dy = sx * width / 2, sy * depth / 2
        rx, ry = dx * np.cos(turn) - dy * np.sin(turn), dx * np.sin(turn) + dy * np.cos(turn)
        corners.append(np.column_stack([x + rx / per_lon, y + ry / per_lat]))
    rings = np.stack(corners, axis=1)  # n × 5 × 2
    polygons = shapely.polygons(rings)
    numbers = np.arange(1, n + 1)
    frame = gpd.GeoDataFrame({
        "编号": [f"B{i:06d}" for i in numbers],
        "名称": [f"测试楼{i}" for i in numbers],
        "地址": [f"盘龙区测试路{i % 500 + 1}号" for i in numbers],
        "层数": rng.integers(1, 33, n),
        "类别": rng.choice(CATEGORIES, n),
    }, geometry=polygons, crs="EPSG:4326")
    path = folder / "bench_buildings.gpkg"
    frame.to_file(path, driver="GPKG", layer="buildings")
    return path


def bench_operator():
    from gis_core.models import User

    user = User.objects.filter(username="bench-import").first()
    return user or User.objects.create_superuser("bench-import", password=None)


def bench_buildings_delete() -> int:
    """The bench buildings of a run and their history, without writing delete events (a
    clean-up is not an edit anybody made): the row trigger is off for this transaction."""
    import pgtrigger
    from django.db import connection, transaction

    from assets.models import Building

    (_m, trigger), = pgtrigger.registered("assets.Building:delete_delete")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE assets_building DISABLE TRIGGER {trigger.get_pgid(Building)}")
        cursor.execute("DELETE FROM assets_buildingevent WHERE source_key LIKE %s", [SOURCE + ":%"])
        cursor.execute("DELETE FROM assets_building WHERE source_key LIKE %s", [SOURCE + ":%"])
        deleted = cursor.rowcount
        cursor.execute(f"ALTER TABLE assets_building ENABLE TRIGGER {trigger.get_pgid(Building)}")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE assets_building")
        cursor.execute("VACUUM ANALYZE assets_buildingevent")
    return deleted


@dataclass
class Run:
    """Wall seconds, and CPU seconds of the client (ogr2ogr, or this process) and of its
    PostgreSQL backend: on the shared two cores the wall times swell with what else runs,
    the CPU seconds much less."""

    wall: float
    client_cpu: float
    backend_cpu: float

    @property
    def cpu(self) -> float:
        return self.client_cpu + self.backend_cpu


def ogr2ogr(pg: str, path: Path) -> Run:
    """ogr2ogr's run; its backend (found by application name) sampled every 20 ms while it
    runs, so up to 20 ms of the backend's CPU at the end may be missed."""
    from django.db import connection

    name = f"bench-ogr2ogr-{os.getpid()}"
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(["ogr2ogr", "-f", "PostgreSQL", f"PG:{pg}", str(path), "-nln", OGR_TABLE, "-overwrite"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PGAPPNAME": name})
    backends: dict[int, float] = {}
    with connection.cursor() as cursor:
        while process.poll() is None:
            if time.perf_counter() - started > OGR2OGR_TIMEOUT_S:
                process.kill()
                process.wait()
                raise RuntimeError(f"ogr2ogr ran for more than {OGR2OGR_TIMEOUT_S} s")
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [name])
            for (pid,) in cursor.fetchall():
                backends[pid] = max(backends.get(pid, 0.0), process_cpu(pid))
            time.sleep(0.02)
    wall = time.perf_counter() - started
    if process.returncode:
        raise RuntimeError(f"ogr2ogr failed: {process.stderr.read().decode(errors='replace')[-2000:]}")
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = (children_after.ru_utime - children_before.ru_utime) + (children_after.ru_stime - children_before.ru_stime)
    return Run(wall, client, sum(backends.values()))


def import_run(path: Path) -> tuple[Run, str]:
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    out = io.StringIO()
    backend_before, client_before, started = process_cpu(backend), time.process_time(), time.perf_counter()
    call_command("import_layer", "buildings", str(path), "--source", SOURCE, "--as", "bench-import",
                 "--no-progress", stdout=out)
    run = Run(time.perf_counter() - started, time.process_time() - client_before, process_cpu(backend) - backend_before)
    return run, out.getvalue().strip()


def areas_check(sample: int) -> tuple[int, int]:
    """(checked, differing): bench buildings whose area is not gis_deepest_area(footprint)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE area_id IS DISTINCT FROM gis_deepest_area(footprint)) "
            "FROM (SELECT area_id, footprint FROM assets_building WHERE source_key LIKE %s "
            "ORDER BY md5(source_key) LIMIT %s) b", [SOURCE + ":%", sample])
        return cursor.fetchone()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the bench buildings and bench_ogr_buildings")
    args = parser.parse_args()
    if shutil.which("ogr2ogr") is None:
        sys.exit("ogr2ogr is missing: install gdal-bin")
    url = use_bench_database()
    pg = pg_connection_string(url)
    from django.db import connection

    bench_operator()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        started = time.perf_counter()
        path = footprints_build(args.buildings, args.seed, folder)
        say(f"built {path.name}: {args.buildings:,} footprints in the grid cells of grid_bench, "
            f"{path.stat().st_size / 1e6:.1f} MB, in {time.perf_counter() - started:.1f} s")
        removed = bench_buildings_delete()
        if removed:
            say(f"deleted {removed:,} bench buildings of an earlier run")

        def cpu(run: Run) -> str:
            return f"(CPU: client {run.client_cpu:.2f} s + backend {run.backend_cpu:.2f} s)"

        ogr_before = ogr2ogr(pg, path)
        say(f"\nogr2ogr → {OGR_TABLE}:          {ogr_before.wall:6.2f} s {cpu(ogr_before)}")
        fresh, output = import_run(path)
        say(f"import_layer (fresh):              {fresh.wall:6.2f} s {cpu(fresh)}\n    {output}")
        ogr_after = ogr2ogr(pg, path)
        say(f"ogr2ogr → {OGR_TABLE} (again):  {ogr_after.wall:6.2f} s {cpu(ogr_after)}")
        again, output = import_run(path)
        say(f"import_layer (re-import, same file): {again.wall:6.2f} s {cpu(again)}\n    {output}")

        baseline = (ogr_before.wall + ogr_after.wall) / 2
        baseline_cpu = (ogr_before.cpu + ogr_after.cpu) / 2
        ratio = fresh.wall / baseline
        say(f"\nimport / ogr2ogr = {fresh.wall:.2f} / {baseline:.2f} s = {ratio:.2f}× "
            f"(target ≤ {TARGET_RATIO}×: {'met' if ratio <= TARGET_RATIO else 'NOT met'}); "
            f"re-import {again.wall / baseline:.2f}×; {args.buildings / fresh.wall:,.0f} buildings/s; "
            f"in CPU seconds {fresh.cpu / baseline_cpu:.2f}× and {again.cpu / baseline_cpu:.2f}×")
        checked, differing = areas_check(2000)
        say(f"derived areas: {checked:,} sampled bench buildings, {differing} differ from gis_deepest_area()")
        results = Results()
        results.ratio("import_layer, fresh", fresh.wall, baseline, unit="s", against="ogr2ogr", target=TARGET_RATIO,
                      digits=2, note=f"{args.buildings / fresh.wall:,.0f} buildings/s")
        results.ratio("import_layer, re-import of the same file", again.wall, baseline, unit="s", against="ogr2ogr",
                      digits=2)
        results.ratio("import_layer, fresh, CPU (client + backend)", fresh.cpu, baseline_cpu, unit="CPU s",
                      against="ogr2ogr", target=TARGET_RATIO, digits=2)
        results.ratio("import_layer, re-import, CPU (client + backend)", again.cpu, baseline_cpu, unit="CPU s",
                      against="ogr2ogr", digits=2)
    finally:
        if args.keep:
            say(f"\nkept the bench buildings (source_key {SOURCE}:…) and {OGR_TABLE}")
        else:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {OGR_TABLE}")
            say(f"\nclean-up: deleted {bench_buildings_delete():,} bench buildings and dropped {OGR_TABLE}")
        shutil.rmtree(folder, ignore_errors=True)
    results.print()


if __name__ == "__main__":
    main()
