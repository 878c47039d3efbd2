"""Benchmark: exports on the 1,000,000-person demo district.

    .venv/bin/python bench/export.py [--formats geojson,gpkg,shp,csv,xlsx]

Every building (100,000) in each format, and every house (400,000) as CSV and GeoPackage,
through GET /api/v1/<list>/export.<fmt> as the district administrator (neither list has
personal fields: nothing is written to the access log). Prints rows, size, seconds and the
process's peak memory, which should not grow with the rows (chunks from a server-side
cursor). Target (issue 6): 100,000 buildings in seconds in every format.

Needs the database grid_bench (`.venv/bin/python bench/seed.py`).
"""
from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.database import use_bench_database
from bench.lib.report import Results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--formats", default="geojson,gpkg,shp,csv,xlsx")
    args = parser.parse_args()
    use_bench_database()

    from rest_framework.test import APIClient

    from gis_core.models import User

    client = APIClient()
    client.force_authenticate(User.objects.get(username="admin"))
    runs = [("buildings", fmt) for fmt in args.formats.split(",")] + [("houses", "csv"), ("houses", "gpkg")]
    print(f"{'export':28}{'rows':>9}{'MB':>8}{'seconds':>9}{'peak RSS MB':>13}")
    results = Results()
    for name, fmt in runs:
        started = time.perf_counter()
        response = client.get(f"/api/v1/{name}/export.{fmt}")
        assert response.status_code == 200, response.status_code
        size = sum(len(block) for block in response.streaming_content)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{name + '.' + fmt:28}{response['X-Export-Rows']:>9}{size / 1e6:>8.1f}{seconds:>9.1f}{peak:>13.0f}")
        results.figure(f"export {name}.{fmt}, {int(response['X-Export-Rows']):,} rows", seconds, unit="s",
                       note=f"no baseline; peak RSS {peak:.0f} MB")
    results.print()


if __name__ == "__main__":
    main()
