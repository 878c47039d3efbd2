"""The benchmarks' database: ``grid_bench`` on the embedded cluster, 1,000,000 people
seeded by bench/seed.py (``BENCH_DATABASE`` names another, e.g. a copy made with
``CREATE DATABASE … TEMPLATE grid_bench`` for a branch whose migrations differ). While a seed of this checkout runs it holds a lock
(var/bench_seed.lock); the other benchmarks wait for it, within a bound."""
from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Iterator

from bench.lib.processes import exit_on_sigterm
from devstack import embedded

DATABASE = os.environ.get("BENCH_DATABASE", "grid_bench")
SEED_LOCK = embedded.VAR / "bench_seed.lock"
SEED_WAIT_S = 3600


def bench_database_url() -> str:
    if not embedded.SERVICES_FILE.exists():
        sys.exit("var/services.json is missing: start the embedded services (python3 -m devstack.embedded up)")
    return embedded.load_state()["database_url"].rsplit("/", 1)[0] + "/" + DATABASE


@contextlib.contextmanager
def seeding() -> Iterator[None]:
    """Held by bench/seed.py while it drops and refills grid_bench."""
    SEED_LOCK.parent.mkdir(exist_ok=True)
    with open(SEED_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def seed_wait(timeout: float = SEED_WAIT_S) -> None:
    """Return once no seed of this checkout is running; exit after ``timeout`` seconds."""
    if not SEED_LOCK.exists():
        return
    deadline = time.monotonic() + timeout
    with open(SEED_LOCK) as lock:
        said = False
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
                fcntl.flock(lock, fcntl.LOCK_UN)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    sys.exit(f"bench/seed.py is still seeding {DATABASE} after {timeout:.0f} s: giving up")
                if not said:
                    print(f"bench/seed.py is (re)seeding {DATABASE}: waiting …", flush=True)
                    said = True
                time.sleep(5)


def database_recreate() -> str:
    """A fresh, empty grid_bench; its URL. Django must not be set up yet: the settings read
    DATABASE_URL when they are imported."""
    if not embedded.SERVICES_FILE.exists():
        sys.exit("var/services.json is missing: start the embedded services (python3 -m devstack.embedded up)")
    embedded.drop_database(DATABASE)
    return embedded.create_database(DATABASE)


def use_bench_database() -> str:
    """Wait for a running seed, point Django at grid_bench and set it up (production-like:
    DEBUG off, no query logging); exit with advice when it is missing. Returns its URL.
    From then on SIGTERM ends the benchmark through its ``finally`` blocks."""
    exit_on_sigterm()
    seed_wait()
    url = bench_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import DatabaseError, connection

    from gis_core.models import Area

    try:
        ready = Area.objects.exists()
    except DatabaseError:  # the database or its tables do not exist
        ready = False
    if not ready:
        sys.exit(f"{DATABASE} is missing or empty: run `.venv/bin/python bench/seed.py` first")
    call_command("migrate", verbosity=0, interactive=False)  # the schema of this checkout
    connection.close()
    return url


def bare_connection(url: str, **options):
    """A plain psycopg connection for baselines, set up as Django's (autocommit, no
    automatic prepared statements) unless ``options`` say otherwise."""
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1),
                           **{"autocommit": True, "prepare_threshold": None, **options})
