"""Benchmark: which costs grow with the city and which stay flat (issue 18).

    .venv/bin/python bench/city.py [--one grid_bench] [--city grid_city] [--runs 10]

The same requests on two databases seeded by bench/seed.py with the same --people and
--seed: ``--one`` one district (``bench/seed.py``), ``--city`` K districts side by side
(``BENCH_DATABASE=grid_city bench/seed.py --districts K``; the first district is the same
盘龙区 in both, buildings and cells alike). Each database is measured by a child process of
this script (``--measure``, with BENCH_DATABASE set), one after the other, in the same run:

- as the district administrator ``admin`` (盘龙区) in both databases — what a district's
  users get: the densest building tile at z14 and z16 uncached, the heatmap PNG tile
  holding the whole district, place search, case metrics by community, the district's
  area statistics, the export of the district's buildings as CSV;
- as the city's administrator ``city`` (the city database only) — the same tile, and the
  whole city's heatmap tile, search, case metrics, statistics and building export.

For each request it prints p50 of --runs warm runs (exports: a third of them) and the
ratios: district user at K districts ÷ at 1 district (flat means ≈ 1), city user ÷ 1
district (grows with the city for whole-city requests: ≈ K for a linear cost).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.lib.processes import exit_on_sigterm
from bench.lib.report import Results
from bench.lib.timing import interleaved, p50

MARK = "CITY-FIGURES "
MEASURE_TIMEOUT_S = 3600
DISTRICT_USER, CITY_USER = "admin", "city"


# ----------------------------------------------------------------------------- one database

def _get(client, url: str):
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    if response.status_code not in (200, 204):
        sys.exit(f"{url}: {response.status_code} {bytes(getattr(response, 'content', b''))[:300]!r}")
    if getattr(response, "streaming", False):
        for _block in response.streaming_content:
            pass
    return response


def measure(runs: int) -> dict:
    """p50 ms of every request per user of this database (BENCH_DATABASE)."""
    from bench.heat import covering_tile
    from bench.lib.database import DATABASE, use_bench_database
    from bench.tiles import densest_tile

    use_bench_database()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from assets.models import Building, Person
    from gis_core.models import User

    users = {u.username: u for u in User.objects.filter(username__in=[DISTRICT_USER, CITY_USER])}
    about = {"database": DATABASE, "people": Person.objects.count(), "buildings": Building.objects.count()}
    tiles = {z: densest_tile(z) for z in (14, 16)}  # in the first district (the first 20,000 buildings)
    cache.clear()
    figures: dict[str, dict[str, float]] = {}
    for username, user in users.items():
        client = Client()
        client.force_login(user)
        area = user.areas.get()
        z, x, y = covering_tile(area.boundary.extent)
        requests = {
            **{f"building tile z{tz}, uncached": f"/tiles/buildings/{tz}/{tx}/{ty}.pbf" for tz, tx, ty in tiles.values()},
            "heatmap PNG tile of the user's whole area": f"/tiles/heat/people/{z}/{x}/{y}.png",
            "place search ?q=拓东": "/api/v1/search/?q=拓东",
            "case metrics by community": "/api/v1/cases/metrics/?by=community",
            "area statistics of the user's area": f"/api/v1/area-stats/{area.pk}/",
        }

        def drop_tiles(i: int) -> None:
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM tiles_tilecache WHERE layer = 'buildings'")

        steps = {name: ((drop_tiles, lambda i, u=url: _get(client, u)) if "uncached" in name
                        else (lambda i, u=url: _get(client, u)))
                 for name, url in requests.items()}
        for url in requests.values():  # warm: the session, the colour scale of the heatmap
            _get(client, url)
        times = interleaved(runs, steps)
        export = "/api/v1/buildings/export.csv"
        rows = int(_get(client, export)["X-Export-Rows"])
        times[f"export of the user's buildings, CSV ({rows:,} rows)"] = interleaved(
            max(2, runs // 3), {"export": lambda i: _get(client, export)})["export"]
        figures[username] = {name: p50(values) for name, values in times.items()}
        figures[username]["_area"] = f"{area.code} {area.name}"
        print(f"{DATABASE}: {username} done", flush=True)
    return {"about": about, "figures": figures}


# ----------------------------------------------------------------------------- both

def child(database: str, runs: int) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", "--runs", str(runs)]
    print(f"measuring {database} …", flush=True)
    process = subprocess.run(command, cwd=ROOT, env={**os.environ, "BENCH_DATABASE": database},
                             stdout=subprocess.PIPE, text=True, timeout=MEASURE_TIMEOUT_S)
    lines = [line for line in process.stdout.splitlines() if line.startswith(MARK)]
    if process.returncode or not lines:
        sys.exit(f"measuring {database} failed (exit {process.returncode}):\n{process.stdout[-2000:]}")
    return json.loads(lines[-1][len(MARK):])


def report(one: dict, city: dict) -> None:
    base = one["figures"][DISTRICT_USER]
    district, whole = city["figures"][DISTRICT_USER], city["figures"].get(CITY_USER, {})
    print(f"\n1 district: {one['about']['database']}, {one['about']['people']:,} people, "
          f"{one['about']['buildings']:,} buildings")
    print(f"city:       {city['about']['database']}, {city['about']['people']:,} people, "
          f"{city['about']['buildings']:,} buildings; city user over {whole.get('_area', '—')}\n")
    print(f"{'request (p50 ms)':<52}{'1 district':>11}{'K: district':>13}{'ratio':>7}{'K: city':>10}{'ratio':>7}")
    results = Results()
    names = [n for n in base if not n.startswith("_")]
    by_prefix = {name.split(" (")[0]: name for name in district}
    city_names = {name.split(" (")[0]: name for name in whole}
    for name in names:
        key = name.split(" (")[0]
        d = district.get(by_prefix.get(key, ""), float("nan"))
        c = whole.get(city_names.get(key, ""), float("nan"))
        print(f"{key:<52}{base[name]:>11.1f}{d:>13.1f}{d / base[name]:>7.2f}{c:>10.1f}{c / base[name]:>7.2f}")
        results.ratio(f"{key}, district user, K districts", d, base[name], unit="ms", against="1 district")
        if whole:
            results.ratio(f"{key}, city user, K districts", c, base[name], unit="ms", against="1 district")
    print("  ratio: ÷ the 1-district figure of the same request by the district user (flat ≈ 1; a cost "
          "linear in the city ≈ K)")
    results.print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--one", default="grid_bench", help="the one-district database")
    parser.add_argument("--city", default="grid_city", help="the database of K districts")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    exit_on_sigterm()
    if args.measure:
        print(MARK + json.dumps(measure(args.runs), ensure_ascii=False), flush=True)
        return
    started = time.perf_counter()
    one, city = child(args.one, args.runs), child(args.city, args.runs)
    report(one, city)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
