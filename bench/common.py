"""What every benchmark shares: running Django against the 1,000,000-person database
``grid_bench`` on the embedded cluster (created by bench/seed.py)."""
from __future__ import annotations

import os
import sys

from devstack import embedded

DATABASE = "grid_bench"


def bench_database_url() -> str:
    if not embedded.SERVICES_FILE.exists():
        sys.exit("var/services.json is missing: start the embedded services (make services)")
    return embedded.load_state()["database_url"].rsplit("/", 1)[0] + "/" + DATABASE


def use_bench_database() -> str:
    """Point Django at grid_bench and set it up; exit with advice when it is missing.
    Returns the database URL."""
    url = bench_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ["DEBUG"] = "0"  # as in production: no query logging
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from gis_core.models import Area

    try:
        ready = Area.objects.exists()
    except Exception:  # the database or its tables do not exist
        ready = False
    if not ready:
        sys.exit(f"{DATABASE} is missing or empty: run `.venv/bin/python bench/seed.py` first")
    call_command("migrate", verbosity=0, interactive=False)  # schema of this checkout
    connection.close()
    return url
