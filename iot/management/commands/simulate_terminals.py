"""manage.py simulate_terminals: elders walking around their homes, published over MQTT
as their terminals would (see iot.simulator), to demo and load-test the iot pipeline."""
from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable

import paho.mqtt.client as mqtt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gis_core.mqtt import connect, mqtt_client
from gis_core.workers import stop_on_signals
from iot.simulator import NoTerminals, Progress, Rates, elder_new, load_homes, run_schedule

CONNECT_TIMEOUT_S = 10.0
DRAIN_TIMEOUT_S = 10.0
RATE_OPTIONS = {  # option → (Rates field, help)
    "sos_rate": ("sos", "SOS button presses"),
    "fall_rate": ("fall", "falls (the elder then lies still for 5–15 min)"),
    "wander_rate": ("wander", "walks out of the safe zone to 1.5–3× its radius, then back"),
    "low_battery_rate": ("low_battery", "batteries dropping to 10%% and staying there"),
    "silent_rate": ("silent", "devices going silent for 35–90 min"),
    "no_fix_rate": ("no_fix", "losses of GPS lock for 1–5 min"),
}


class Publisher:
    """One MQTT 5 client publishing for every simulated device; counts what the broker
    acknowledged so that stopping can wait for the messages still in flight."""

    def __init__(self, *, url: str, qos: int) -> None:
        self.qos, self.sent, self.done, self.refused = qos, 0, 0, 0
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._reason: mqtt.ReasonCode | None = None
        self.client = mqtt_client(f"simulator-{uuid.uuid4().hex[:8]}", url=url)
        self.client.max_queued_messages_set(0)
        self.client.max_inflight_messages_set(1000)
        self.client.on_connect = self._on_connect
        self.client.on_publish = self._on_publish
        try:
            connect(self.client, url=url)
        except OSError as error:
            raise CommandError(f"cannot reach the MQTT broker: {error}") from error
        self.client.loop_start()
        if not self._connected.wait(CONNECT_TIMEOUT_S) or self._reason.is_failure:
            self.client.loop_stop()
            raise CommandError(f"the MQTT broker refused the connection: {self._reason or 'no answer'}")

    def _on_connect(self, client, userdata, flags, reason, properties) -> None:
        self._reason = reason
        self._connected.set()

    def _on_publish(self, client, userdata, mid, reason, properties) -> None:
        with self._lock:
            self.done += 1
            self.refused += reason.is_failure

    def publish(self, topic: str, payload: bytes) -> None:
        self.client.publish(topic, payload, qos=self.qos)
        self.sent += 1

    def close(self) -> None:
        """Wait (a while) for unacknowledged messages, then disconnect."""
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while self.done < self.sent and time.monotonic() < deadline:
            time.sleep(0.05)
        self.client.disconnect()
        self.client.loop_stop()


def progress_line(progress: Progress, rate: float) -> str:
    events = progress.events
    return (f"{progress.elapsed_s:7.0f} s  {progress.sent:,} sent  {rate:.1f}/s  SOS {events['sos']}  "
            f"falls {events['fall']}  wanderers {events['wander']}  silent {events['silent']}")


class ProgressPrinter:
    """Prints a progress line, with the rate since the previous one (not since the start,
    which hides a stall)."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write, self.last = write, Progress(0.0, 0, Counter())

    def __call__(self, progress: Progress) -> None:
        rate = (progress.sent - self.last.sent) / max(progress.elapsed_s - self.last.elapsed_s, 1e-9)
        self.last = progress
        self.write(progress_line(progress, rate))


def positive(value: str) -> float:
    number = float(value)
    if number <= 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = ("Publish simulated walks of elders around their homes over MQTT, one message per --interval "
            "seconds per terminal in its own protocol, with SOS, falls, wandering out of the safe zone, low "
            "batteries, silent devices and lost GPS locks at the given rates (per device per simulated hour). "
            "Simulates the active terminals whose elder has a safe zone at home. Runs until Ctrl-C or --duration.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--devices", type=int, default=100, help="at most this many terminals (default 100)")
        parser.add_argument("--interval", type=positive, default=10.0,
                            help="seconds between two messages of one device (default 10)")
        parser.add_argument("--duration", type=positive, help="stop after this many seconds (default: never)")
        parser.add_argument("--seed", type=int, help="random seed (same seed, same walks and events)")
        parser.add_argument("--url", help="broker URL (default: settings.MQTT_GATEWAY_URL)")
        parser.add_argument("--qos", type=int, choices=(0, 1, 2), default=1, help="MQTT QoS (default 1)")
        parser.add_argument("--speedup", type=positive, default=1.0,
                            help="simulated time runs this many times faster than the clock (default 1)")
        for option, (name, what) in RATE_OPTIONS.items():
            default = getattr(Rates(), name)
            parser.add_argument(f"--{option.replace('_', '-')}", type=float, default=default,
                                help=f"{what}: how many per device per simulated hour (default {default})")

    def handle(self, *args, devices: int, interval: float, duration: float | None, seed: int | None,
               url: str | None, qos: int, speedup: float, **options) -> None:
        url = url or settings.MQTT_GATEWAY_URL
        if not url:
            raise CommandError("no broker URL: set MQTT_GATEWAY_URL or pass --url")
        if devices < 1:
            raise CommandError("--devices must be at least 1")
        try:
            homes = load_homes(limit=devices)
        except NoTerminals as error:
            raise CommandError(str(error)) from error
        rng = random.Random(seed)
        elders = [elder_new(home=home, rng=rng) for home in homes]
        rates = Rates(**{name: options[option] for option, (name, _) in RATE_OPTIONS.items()})
        publisher = Publisher(url=url, qos=qos)
        self.stdout.write(f"simulating {len(elders)} terminals, one message each per {interval:g} s "
                          f"(speedup {speedup:g}); Ctrl-C to stop")
        stop = threading.Event()
        printer = ProgressPrinter(self.stdout.write)
        try:
            with stop_on_signals(stop):
                total = run_schedule(elders=elders, interval_s=interval, speedup=speedup, rates=rates, rng=rng,
                                     publish=publisher.publish, stop=stop, duration_s=duration, on_progress=printer)
        finally:
            publisher.close()
        self.stdout.write(f"done: {progress_line(total, total.sent / max(total.elapsed_s, 1e-9))}, "
                          f"{publisher.done:,} acknowledged, {publisher.refused:,} refused by the broker, "
                          f"{total.events['low_battery']} low batteries, {total.events['no_fix']} GPS losses")
