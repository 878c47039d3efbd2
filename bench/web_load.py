# noqa: N999 — a script, named after what it measures
"""Benchmark: how many staff requests a second a web node serves, for the deployment's
arithmetic (docs/deploy.md, "Web workers").

    .venv/bin/python bench/web_load.py [--clients 16] [--seconds 20] [--web-workers 2]

On grid_bench (1,000,000 people; bench/seed.py), the web server as the Procfile starts it
(uvicorn, --web-workers processes) is driven by --clients threads, each with its own
keep-alive connection, signed in as a street official of the most populous street, for
--seconds each round:

- staff mix: what a console's user asks, in turn — the case desk's page (HTML), its
  queue's first page, the open alerts, a search by name, a building tile at z16 (random
  among the street's, so mostly uncached at first, cached later: as in use);
- baseline, in the same run: ``GET /healthz`` (the same server, middleware and one
  ``SELECT 1``) — the cost of a request that does nothing.

Prints each round's requests a second and latency p50/p99, and the figures: the mix's
rate, and its ratio to the baseline. The CPU of the server's processes and of PostgreSQL
per request is printed too: that, not the rate on a shared machine, is what the
deployment's arithmetic uses (workers per thousand users).
"""
from __future__ import annotations

import argparse
import http.client
import math
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib import timing
from bench.lib.browser import session_cookie
from bench.lib.cpu import CpuMeter, process_cpu
from bench.lib.database import use_bench_database
from bench.lib.processes import descendants
from bench.lib.report import Results, say
from bench.lib.users import bench_user
from bench.lib.web import WebServer


def street_official():
    """A street official of grid_bench's first street (created once), and the street."""
    from gis_core.models import Area, AreaLevel, Role

    street = Area.objects.filter(level=AreaLevel.STREET).order_by("code").first()
    return bench_user("bench-street", Role.STREET_OFFICIAL, street), street


def server_cpu(pid: int) -> float:
    """CPU seconds so far of uvicorn and its worker processes."""
    return sum(process_cpu(p) for p in (pid, *descendants(pid)))


def tile_paths(street, count: int, rng: random.Random) -> list[str]:
    """``count`` z16 building tiles within the street's extent."""
    xmin, ymin, xmax, ymax = street.boundary.extent

    def tile(lon: float, lat: float) -> tuple[int, int]:
        n = 2 ** 16
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        return x, y

    return [f"/tiles/buildings/16/{x}/{y}.pbf" for x, y in
            (tile(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)) for _ in range(count))]


def mix_paths(street, rng: random.Random) -> list[str]:
    names = ["王", "李", "张", "刘", "陈"]
    pages = ["/console/cases/", "/api/v1/cases/?page_size=20", "/api/v1/alerts/?state=open",
             *(f"/api/v1/search/?q={quote(name)}" for name in names)]
    return pages + tile_paths(street, 200, rng)


def drive(base_url: str, cookie: str, paths: list[str], clients: int, seconds: float) -> tuple[int, list[float], Counter]:
    """(requests, latencies in ms, errors by status and path) of ``clients`` threads asking
    ``paths`` in turn."""
    host, port = base_url.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors: Counter = Counter()
    lock = threading.Lock()
    ends = time.monotonic() + seconds

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine: list[float] = []
        i = offset
        while time.monotonic() < ends:
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "zh-hans"})
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    with lock:
                        errors[f"{response.status} {path.split('?')[0]}"] += 1
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
                with lock:
                    errors[f"no answer {path.split('?')[0]}"] += 1
                continue
            mine.append((time.perf_counter() - started) * 1000)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n * 7,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return len(latencies), latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    db_url = use_bench_database()
    from django.db import connection

    user, street = street_official()
    rng = random.Random(args.seed)
    server = WebServer(db_url, args.web_workers)
    results = Results()
    try:
        cookie = session_cookie(user, server.url)
        cookie = f"{cookie['name']}={cookie['value']}"
        say(f"web server: uvicorn, {args.web_workers} worker process(es); {args.clients} clients, "
            f"{args.seconds:g} s a round; street official of {street.name}")
        drive(server.url, cookie, ["/healthz", *mix_paths(street, rng)[:8]], 2, 3)  # warm up each worker
        rounds = {}
        for name, paths in (("baseline /healthz", ["/healthz"]), ("staff mix", mix_paths(street, rng))):
            meter = CpuMeter({}, connection)
            meter.start()
            cpu_before = server_cpu(server.process.pid)
            count, latencies, errors = drive(server.url, cookie, paths, args.clients, args.seconds)
            cpu = server_cpu(server.process.pid) - cpu_before
            meter.stop()
            pg = meter.used().get("postgres grid_bench", 0.0)
            rate = count / args.seconds
            rounds[name] = rate
            say(f"{name:18} {rate:8,.0f} req/s   p50 {timing.p50(latencies):7.1f} ms   "
                f"p99 {timing.p99(latencies):7.1f} ms   errors {sum(errors.values())}   "
                f"CPU per request: web {cpu / max(count, 1) * 1000:.2f} ms, PostgreSQL {pg / max(count, 1) * 1000:.2f} ms")
            for error, times in errors.most_common(5):
                say(f"  {times:,} × {error}")
            if name == "staff mix":
                results.figure("staff mix, CPU of the web processes per request", cpu / max(count, 1) * 1000,
                               unit="ms", digits=2, note="what a worker core spends on one request of the mix")
        results.ratio("staff mix throughput", rounds["staff mix"], rounds["baseline /healthz"], unit="req/s",
                      against="/healthz", higher_is_better=True, digits=0)
    finally:
        server.stop()
    results.print()


if __name__ == "__main__":
    main()
