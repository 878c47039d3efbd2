"""Every benchmark, one after the other (``make bench``).

    .venv/bin/python bench/run_all.py [--quick] [--only tiles,heat] [--skip seed] [--timeout 3600]

Each runs as its own process, in its own session, for at most --timeout seconds (then
SIGTERM, which it turns into a clean exit, and SIGKILL to its process group 30 s later).
Whatever it leaves running when it ends — a browser, a web server, in sessions of their
own — is killed before the next starts: this process adopts orphans (a "subreaper"), so
they are still its descendants.
One failing does not stop the others. At the end, a summary: each benchmark's state, its
time and its "=>" result lines (figure vs baseline). Exits 1 if any failed.

--quick: small sizes, to check that everything runs (seconds to minutes each; the
figures mean little). Without it: the full sizes of README.md, starting with
bench/seed.py and its 1,000,000 people.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.lib.processes import descendants_end, subreaper_become
from bench.lib.report import MARK

# name, then its arguments with --quick
BENCHMARKS = [
    ("seed", ["--people", "100000"]),
    ("tiles", ["--runs", "10"]),
    ("heat", ["--runs", "6"]),
    ("ingest", ["--messages", "30000"]),
    ("sos_latency", ["--sos", "10", "--background", "500"]),
    ("sos_sms", ["--sos", "10", "--background", "500"]),
    ("cases", ["--quick"]),
    ("services", ["--quick"]),
    ("import", ["--buildings", "10000"]),
    ("export", []),
    ("notice_fanout", ["--quick"]),
    ("positions_retention", ["--terminals", "100", "--hours", "2"]),
    ("web_load", ["--seconds", "5"]),
]
GRACE_S = 30  # between SIGTERM and SIGKILL


def run(name: str, arguments: list[str], timeout: float) -> tuple[str, float, list[str]]:
    """Run bench/<name>.py, its output passed through; (state, seconds, result lines)."""
    command = [sys.executable, str(ROOT / "bench" / f"{name}.py"), *arguments]
    print(f"\n{'=' * 20} {name}: {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               bufsize=1, start_new_session=True)
    results: list[str] = []

    def read() -> None:
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            if line.startswith(MARK):
                results.append(line.rstrip())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    state = None
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        state = f"TIMED OUT after {timeout:.0f} s"
        print(f"\n{name}: {state}; stopping it", flush=True)
        for sig, wait in ((signal.SIGTERM, GRACE_S), (signal.SIGKILL, GRACE_S)):
            try:
                os.killpg(process.pid, sig)
                process.wait(wait)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
    try:
        os.killpg(process.pid, signal.SIGKILL)  # anything it left in its session
    except ProcessLookupError:
        pass
    reader.join(5)
    left = descendants_end()  # … and in sessions of their own (adopted: see subreaper_become)
    if left:
        print(f"{name}: killed {len(left)} process(es) it left running: "
              + "; ".join(c[:80] for c in left), flush=True)
    if state is None:
        state = "ok" if process.returncode == 0 else f"FAILED (exit {process.returncode})"
    return state, time.monotonic() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: check that everything runs")
    parser.add_argument("--only", help="comma-separated benchmarks to run (default all)")
    parser.add_argument("--skip", default="", help="comma-separated benchmarks not to run (e.g. seed)")
    parser.add_argument("--timeout", type=float, default=3600, help="longest run of one benchmark, s (default 3600)")
    args = parser.parse_args()
    names = [name for name, _ in BENCHMARKS]
    chosen = args.only.split(",") if args.only else names
    unknown = set(chosen) - set(names) | set(filter(None, args.skip.split(","))) - set(names)
    if unknown:
        sys.exit(f"unknown benchmark(s) {', '.join(sorted(unknown))}; known: {', '.join(names)}")
    subreaper_become()
    summary = []
    for name, quick in BENCHMARKS:
        if name in chosen and name not in args.skip.split(","):
            summary.append((name, *run(name, quick if args.quick else [], args.timeout)))
    print(f"\n{'=' * 20} summary{' (--quick)' if args.quick else ''}")
    for name, state, seconds, results in summary:
        print(f"{name:12} {state:28} {seconds:7.0f} s")
        for line in results:
            print(f"    {line}")
    failed = [name for name, state, _, _ in summary if state != "ok"]
    if failed:
        print(f"failed: {', '.join(failed)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
