"""``manage.py run_ingester`` as a child process of a benchmark, on grid_bench and the run's
broker; optionally under cProfile (every thread)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from bench.lib.broker import paho_client
from bench.lib.processes import popen_stop
from bench.lib.terminals import Home, ingest_total

ROOT = Path(__file__).resolve().parents[2]
STOP_S = 60  # to write what it holds after SIGTERM

_PROFILER = r"""
import cProfile, pstats, runpy, sys, threading
out = sys.argv[1]
sys.argv = sys.argv[2:]
profiles = [cProfile.Profile()]
_run = threading.Thread.run
def run(self):
    profile = cProfile.Profile()
    profiles.append(profile)
    profile.enable()
    try:
        _run(self)
    finally:
        profile.disable()
threading.Thread.run = run
profiles[0].enable()
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
finally:
    profiles[0].disable()
    stats = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        try:
            stats.add(profile)
        except TypeError:  # a thread that never ran
            pass
    stats.dump_stats(out)
"""


class IngesterProcess:
    def __init__(self, db_url: str, mqtt_url: str, *, group: str, batch_size: int | None = None,
                 batch_ms: float | None = None, profile: Path | None = None) -> None:
        self.client_id, self.group = f"bench-ingester-{uuid.uuid4().hex[:8]}", group
        command = ["manage.py", "run_ingester", "--client-id", self.client_id, "--group", self.group,
                   "--no-broker-sync"]
        if batch_size:
            command += ["--batch-size", str(batch_size)]
        if batch_ms is not None:
            command += ["--batch-ms", str(batch_ms)]
        if profile:
            command = ["-c", _PROFILER, str(profile), *command]
        env = {**os.environ, "DATABASE_URL": db_url, "MQTT_URL": mqtt_url, "DEBUG": "0", "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.started = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            line = line.rstrip()
            self.lines.append(line)
            if " started " in line:
                self.started.set()
            if "WARNING" in line or "ERROR" in line or "Traceback" in line:
                print(f"    ingester: {line}", flush=True)

    def stop(self) -> None:
        """SIGTERM: it writes what it holds, then stops (killed after STOP_S seconds)."""
        popen_stop(self.process, timeout=STOP_S)
        self.reader.join(5)

    def forget_session(self, url: str) -> None:
        """Drop the persistent session (and its shared subscription) the broker keeps for
        a stopped ingester, so it does not queue later rounds' messages."""
        from gis_core.mqtt import session_end

        session_end(self.client_id, url=url)


def warm_up(db, url: str, first_time: int, home: Home, ingesters: list[IngesterProcess]) -> None:
    """Publish one old fix (an hour before ``first_time``) until an ingester commits it:
    it is then subscribed and connected to the database."""
    import paho.mqtt.client as mqtt

    from iot.formats.encode import native

    for ingester in ingesters:
        if not ingester.started.wait(60):
            for other in ingesters:
                other.stop()
            sys.exit("the ingester did not start:\n" + "\n".join(ingester.lines[-30:]))
    if len(ingesters) > 1:
        time.sleep(2)  # the others subscribe too (the warm-up below reaches only one of them)
    paho, config = paho_client(f"bench-warm-{uuid.uuid4().hex[:8]}", url, mqtt.MQTTv5)
    paho.connect(config.host, config.port, keepalive=30)
    paho.loop_start()
    before = ingest_total(db)
    try:
        for attempt in range(60):
            when = first_time - 3600 - attempt
            paho.publish(*native(home.device_id, type="position", time=when, lat=home.lat, lon=home.lon, acc=10),
                         qos=1)
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                if ingest_total(db) > before:
                    time.sleep(0.5)  # let any repeat of the warm-up land before the baseline is taken
                    return
                time.sleep(0.05)
            if any(ingester.process.poll() is not None for ingester in ingesters):
                break
        sys.exit("the ingester never committed the warm-up message:\n" + "\n".join(ingesters[0].lines[-30:]))
    finally:
        paho.disconnect()
        paho.loop_stop()
