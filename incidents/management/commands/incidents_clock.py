"""The case clock: flags cases due soon and late, archives old closed cases. Runs every
``--every`` seconds until SIGTERM/SIGINT (Procfile ``clock``), or once with ``--once``."""
from __future__ import annotations

import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from gis_core.workers import stop_on_signals
from incidents.services import cases_clock_tick


class Command(BaseCommand):
    help = "Flag cases that are due soon or late and archive old closed cases, every minute (or once)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=60.0, help="seconds between ticks (default 60)")
        parser.add_argument("--once", action="store_true", help="one tick, then exit")

    def handle(self, *, every: float, once: bool, **options):
        stop = threading.Event()
        with stop_on_signals(stop):
            while True:
                counts = cases_clock_tick()
                if any(counts.values()):
                    self.stdout.write("clock: {due_soon} due soon, {late} late, {archived} archived".format(**counts))
                if once or stop.wait(every):
                    break
                close_old_connections()  # a connection dropped meanwhile is reopened
