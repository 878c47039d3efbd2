"""manage.py run_ingester: the MQTT ingester (iot/mqtt_receiver.py), until SIGTERM or Ctrl-C."""
from __future__ import annotations

import gc
import logging
import signal
import socket

from django.core.management.base import BaseCommand, CommandParser

from iot.broker import broker_credentials_write
from iot.mqtt_receiver import BATCH_SECONDS, BATCH_SIZE, SESSION_EXPIRY, Ingester

GC_THRESHOLD = 10_000


class Command(BaseCommand):
    help = ("Receive terminals' messages over MQTT (native JSON on eldercare/<device>/up, OwnTracks on "
            "owntracks/<user>/<device>, 3G watch frames on watch/<device>/up) and write them to PostGIS, "
            "acknowledging each message only once committed. Run several with different --client-id to "
            "split the load. Stops cleanly on SIGTERM or Ctrl-C, writing what it holds first.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client-id", default=f"ingester-{socket.gethostname()}",
                            help="MQTT client id; keep it across restarts (the broker keeps its session)")
        parser.add_argument("--group", default="ingest", help="shared-subscription group (default ingest); '' subscribes plainly (one ingester "
                                 "only; survives a broker restart with no gap, see iot/mqtt_receiver.py)")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="most messages per transaction")
        parser.add_argument("--batch-ms", type=float, default=BATCH_SECONDS * 1000,
                            help="longest wait to fill a batch (ms)")
        parser.add_argument("--session-expiry", type=int, default=SESSION_EXPIRY,
                            help="seconds the broker keeps queueing for this ingester while it is down "
                                 f"(default {SESSION_EXPIRY:,})")
        parser.add_argument("--no-broker-sync", action="store_true",
                            help="do not regenerate the broker's terminal credentials at start")

    def handle(self, *args, client_id: str, group: str, batch_size: int, batch_ms: float, session_expiry: int,
               no_broker_sync: bool, verbosity: int, **options) -> None:
        logging.basicConfig(level=logging.INFO if verbosity else logging.WARNING,
                            format="%(asctime)s %(name)s %(levelname)s %(message)s")
        if not no_broker_sync:
            written = broker_credentials_write()
            if written:
                self.stdout.write(f"broker credentials: {written.terminals} terminals")
        ingester = Ingester(client_id=client_id, group=group, batch_size=batch_size, batch_seconds=batch_ms / 1000,
                            session_expiry=session_expiry,
                            report=(lambda line: self.stdout.write(line)) if verbosity else None)
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: ingester.stop())
        # Start-up's objects (Django, the apps: some 200,000) never become garbage: frozen, the
        # collector stops walking them; and it runs after 10,000 new objects instead of 700
        # (each message makes a few, none in a cycle; a backlog is tens of thousands).
        gc.freeze()
        gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
        self.stdout.write(f"ingester {client_id} started (group {group})")
        ingester.run()
        self.stdout.write(f"ingester stopped: {ingester.summary()}")
