#!/usr/bin/env python
"""Benchmark: sustained MQTT ingest, end to end, on the 1,000,000-person demo district.

    .venv/bin/python bench/ingest.py [--devices 5000] [--messages 200000] [--repeat 1] [--profile]

In the database grid_bench, N terminals ("bench000001"…, bound to people with a home,
elders first; protocols native, 3G watch and OwnTracks in turn) and their safe zones
(300 m around home) are created once. A stream of M messages is generated in memory
before anything is timed: positions within ~400 m of each elder's home (so some are
outside the zone, and a few elders wander off), device times increasing per device,
~0.1 % heartbeats and a handful of SOS, in the three formats (iot/formats/encode.py).

Each round, in the same run:
- bare receive: a paho MQTT 5 client subscribed (QoS 1, auto-ack) to the ingester's
  topic filters counts the stream and writes nothing — the baseline; its rate is
  messages / (first to last message received);
- ingest: ``manage.py run_ingester`` (its own process, on grid_bench, DEBUG=0) receives
  the same stream; its rate is messages / (first publish → the moment the database has
  committed an outcome for every message — iot_ingestcount, polled every 50 ms).
Before each ingest round the positions, the bench terminals' alerts and state, and the
quarantine are cleared, so rounds are comparable.

The stream is published, QoS 1, by a separate process as the app user, as fast as the
broker takes it (1,000 in flight); it holds back only when more than --window messages
are published but not yet received/committed (the broker keeps at most 100,000 queued
messages per client and drops the rest). By default the publisher writes pre-encoded
MQTT 3.1.1 packets to a socket, which costs next to no CPU; ``--publisher paho`` uses a
paho MQTT 5 client instead (unlimited queue), which itself needs most of a core.

By default the rounds run on a private Mosquitto started for the run with the embedded
broker's configuration (same users, ACL, persistence and queue limit), so that other
people's ingesters and tests on the embedded broker neither receive the stream nor add
to it; ``--shared-broker`` uses the embedded broker (MQTT_URL).

CPU seconds of each process, of grid_bench's PostgreSQL backends and of everything else
on the machine are printed for each round: the two cores are shared. ``--profile`` runs
the ingester under cProfile (all threads); ``--stages`` times the steps of
iot.ingest.messages_ingest in this process without MQTT.

Targets (issue): ingest ≥ 8,000 messages/s and ≥ 0.8 × the bare receive rate.

Needs the database grid_bench (`.venv/bin/python bench/seed.py`).
"""
from __future__ import annotations

import argparse
import datetime as dt
import math
import multiprocessing as mp
import os
import random
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import use_bench_database

TARGET_RATE = 8000
TARGET_RATIO = 0.8
PREFIX = "bench"  # watch frames allow letters and digits only: bench000001…
RADIUS_M = 300
OWNTRACKS_USER = "elder"
PROTOCOLS = ("native", "watch3g", "owntracks")
STEP_S = 15                  # device time between a device's messages
METRES_PER_DEGREE = 111_320.0
POLL_S = 0.05

# ---------------------------------------------------------------------------- database

_TERMINALS_INSERT = """
INSERT INTO iot_terminal (created_at, updated_at, device_id, model, protocol, sim_number, status,
                          mqtt_password_hash, zone_state, zone_streak, person_id)
SELECT now(), now(), %(prefix)s || lpad(c.n::text, 6, '0'), 'bench', (%(protocols)s::text[])[1 + (c.n - 1) %% 3],
       '', 'active', '', '', 0, c.person_id
FROM (SELECT row_number() OVER (ORDER BY p.elder DESC, p.spread) AS n, p.id AS person_id
      FROM (SELECT p.id, COALESCE(p.birth_date <= current_date - interval '60 years', false) AS elder,
                   md5(p.id::text) AS spread  -- elders all over the district, not the first ids
            FROM assets_person p
            WHERE EXISTS (SELECT FROM assets_residence r
                          WHERE r.person_id = p.id AND r.is_primary AND r.moved_out IS NULL)
            ORDER BY elder DESC, spread
            LIMIT %(n)s) p) c
ON CONFLICT (device_id) DO NOTHING
"""

_ZONES_INSERT = """
INSERT INTO iot_safezone (created_at, updated_at, radius_m, person_id)
SELECT now(), now(), %(radius)s, t.person_id
FROM iot_terminal t
WHERE t.device_id LIKE %(like)s AND t.person_id IS NOT NULL
ON CONFLICT (person_id) DO NOTHING
"""

_RESET = [
    "TRUNCATE iot_position",
    ("DELETE FROM iot_alertevent WHERE alert_id IN (SELECT a.id FROM iot_alert a JOIN iot_terminal t "
     "ON t.id = a.terminal_id WHERE t.device_id LIKE %(like)s)"),
    "DELETE FROM iot_alert WHERE terminal_id IN (SELECT id FROM iot_terminal WHERE device_id LIKE %(like)s)",
    "DELETE FROM iot_quarantinedmessage",
    ("UPDATE iot_terminal SET last_seen_at = NULL, last_fix_at = NULL, last_position = NULL, last_accuracy_m = NULL, "
     "last_gps_fix = NULL, battery = NULL, signal = NULL, zone_state = '', zone_streak = 0 "
     "WHERE device_id LIKE %(like)s"),
    "VACUUM ANALYZE iot_terminal",
    "VACUUM ANALYZE iot_alert",
]


def device_id(n: int) -> str:
    return f"{PREFIX}{n:06d}"


def terminals_ensure(db, devices: int) -> None:
    """The first ``devices`` bench terminals and their safe zones, created in bulk when missing."""
    like = PREFIX + "%"
    with db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM iot_terminal WHERE device_id LIKE %s AND device_id <= %s",
                       [like, device_id(devices)])
        have = cursor.fetchone()[0]
        if have < devices:
            started = time.perf_counter()
            cursor.execute(_TERMINALS_INSERT, {"prefix": PREFIX, "protocols": list(PROTOCOLS), "n": devices})
            print(f"created {cursor.rowcount:,} terminals in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        cursor.execute(_ZONES_INSERT, {"radius": RADIUS_M, "like": like})
        if cursor.rowcount:
            print(f"created {cursor.rowcount:,} safe zones in {time.perf_counter() - started:.1f} s")
        cursor.execute("SELECT count(*) FROM iot_terminal WHERE device_id LIKE %s AND device_id <= %s",
                       [like, device_id(devices)])
        if cursor.fetchone()[0] < devices:
            sys.exit(f"fewer than {devices:,} people with a home in grid_bench: use --devices")


def database_reset(db) -> None:
    with db.cursor() as cursor:
        for sql in _RESET:
            cursor.execute(sql, {"like": PREFIX + "%"} if "%(like)s" in sql else None)


@dataclass(frozen=True)
class Home:
    device_id: str
    protocol: str
    lat: float
    lon: float


def homes_load(db, devices: int) -> list[Home]:
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT t.device_id, t.protocol, ST_Y(z.center), ST_X(z.center) FROM iot_terminal t "
            "JOIN iot_safezone z ON z.person_id = t.person_id "
            "WHERE t.device_id LIKE %s AND t.device_id <= %s AND z.center IS NOT NULL ORDER BY t.device_id",
            [PREFIX + "%", device_id(devices)])
        return [Home(*row) for row in cursor.fetchall()]


def ingest_counts(db) -> Counter:
    """Outcomes counted so far, (format, outcome) → n, all days."""
    with db.cursor() as cursor:
        cursor.execute("SELECT format, outcome, sum(count) FROM iot_ingestcount GROUP BY 1, 2")
        return Counter({(f, o): int(n) for f, o, n in cursor.fetchall()})


def ingest_total(db) -> int:
    with db.cursor() as cursor:
        cursor.execute("SELECT COALESCE(sum(count), 0) FROM iot_ingestcount")
        return int(cursor.fetchone()[0])


# ---------------------------------------------------------------------------- the stream

@dataclass
class Stream:
    messages: list[tuple[str, bytes]]
    first_time: int                 # epoch seconds of the earliest device time
    expected: int                   # outcomes the ingester counts for the whole stream
    kinds: Counter = field(default_factory=Counter)     # position / heartbeat / sos per format
    zones: Counter = field(default_factory=Counter)     # the zone status each position should get
    payload_bytes: int = 0
    positions: int = 0              # rows the ingester should store
    packets: list[bytes] = field(default_factory=list)


def _offset(lat: float, lon: float, distance_m: float, bearing: float) -> tuple[float, float]:
    dlat = distance_m * math.cos(bearing) / METRES_PER_DEGREE
    dlon = distance_m * math.sin(bearing) / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def stream_generate(homes: list[Home], count: int, *, seed: int, sos: int, heartbeat_share: float) -> Stream:
    """``count`` messages, round-robin over the devices in a shuffled order each round, each
    device's times increasing. Most positions lie within 250 m of home, one in ten 250–400 m
    out; one device in 200 wanders 450–700 m away for its last third."""
    from iot.formats import decode
    from iot.formats.base import SOS
    from iot.formats.encode import native, owntracks_location, watch3g

    rng = random.Random(seed)
    n = len(homes)
    rounds = math.ceil(count / n)
    first = int(time.time()) - rounds * STEP_S - 300
    offsets = [rng.randrange(STEP_S) for _ in range(n)]
    batteries = [rng.uniform(40, 100) for _ in range(n)]
    steps = [rng.randrange(5000) for _ in range(n)]
    wanderers = set(rng.sample(range(n), max(1, n // 200)))
    sos_at = set(rng.sample(range(count // 10, count - 1000), min(sos, max(0, count - 1000 - count // 10))))
    stream = Stream([], first, 0)
    order = list(range(n))
    i = 0
    for r in range(rounds):
        rng.shuffle(order)
        for d in order:
            if i == count:
                break
            home = homes[d]
            when = dt.datetime.fromtimestamp(first + r * STEP_S + offsets[d], dt.UTC)
            batteries[d] = max(20.0, batteries[d] - rng.uniform(0, 0.2))
            steps[d] += rng.randrange(30)
            battery, signal = round(batteries[d]), rng.randint(50, 100)
            if i in sos_at:
                kind = "sos"
            elif i < count - 1000 and rng.random() < heartbeat_share:
                kind = "heartbeat"
            else:
                kind = "position"
            if d in wanderers and r >= rounds * 2 // 3:
                distance = rng.uniform(450, 700)
            elif rng.random() < 0.9:
                distance = 250 * math.sqrt(rng.random())
            else:
                distance = rng.uniform(250, 400)
            lat, lon = _offset(home.lat, home.lon, distance, rng.uniform(-math.pi, math.pi))
            accuracy = round(rng.uniform(5, 30), 1)
            speed, course = round(rng.uniform(0, 5), 1), rng.randrange(360)
            if home.protocol == "watch3g":
                accuracy = None
                if kind == "heartbeat":
                    message = watch3g(home.device_id, type="LK", battery=battery, steps=steps[d])
                else:
                    message = watch3g(home.device_id, type="AL" if kind == "sos" else "UD", time=when, lat=lat,
                                      lon=lon, speed=speed, course=float(course), signal=signal, battery=battery,
                                      steps=steps[d], flags={SOS} if kind == "sos" else ())
            elif home.protocol == "owntracks" and kind == "position":
                message = owntracks_location(OWNTRACKS_USER, home.device_id, time=int(when.timestamp()), lat=lat,
                                             lon=lon, acc=round(accuracy), batt=battery, vel=round(speed), cog=course)
                accuracy = round(accuracy)
            elif kind == "heartbeat":  # native, and OwnTracks phones' paired button (as the simulator does)
                message = native(home.device_id, type="heartbeat", time=when, batt=battery, sig=signal,
                                 steps=steps[d])
            else:
                message = native(home.device_id, type=kind, time=when, lat=lat, lon=lon, acc=accuracy, spd=speed,
                                 crs=course, batt=battery, sig=signal, steps=steps[d])
            reports = decode(*message)
            with_position = sum(1 for report in reports if report.has_position)
            stream.expected += with_position if reports else 1  # a heartbeat is counted nowhere
            stream.kinds[(reports[0].format if reports else "?", kind)] += 1
            stream.positions += with_position
            if with_position:
                margin, slack = distance - RADIUS_M, accuracy or 0
                stream.zones["outside" if margin > slack else "inside" if margin < -slack else "near"] += 1
            stream.messages.append(message)
            stream.payload_bytes += len(message[1])
            i += 1
    return stream


# ---------------------------------------------------------------------------- processes

class Shared:
    """Counters shared with the forked publisher and receiver (monotonic clock, system-wide)."""

    def __init__(self) -> None:
        self.published = mp.RawValue("q", 0)   # publish() calls made
        self.acked = mp.RawValue("q", 0)       # PUBACKs received
        self.pub_first = mp.RawValue("d", 0.0)
        self.pub_last = mp.RawValue("d", 0.0)  # the last PUBACK
        self.held_s = mp.RawValue("d", 0.0)    # time the publisher held back (window full)
        self.consumed = mp.RawValue("q", 0)    # received (bare) or committed (ingest), for the window
        self.received = mp.RawValue("q", 0)
        self.recv_first = mp.RawValue("d", 0.0)
        self.recv_last = mp.RawValue("d", 0.0)
        self.pub_cpu = mp.RawValue("d", 0.0)   # the publisher's CPU seconds, set as it ends


def _client(client_id: str, url: str, protocol):
    import paho.mqtt.client as mqtt

    from gis_core.mqtt import broker_config

    config = broker_config(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=protocol)
    if config.username:
        client.username_pw_set(config.username, config.password)
    if config.tls:
        client.tls_set()
    return client, config


def _hold(shared: Shared, sent: int, window: int) -> None:
    """Wait while more than ``window`` messages are published but not yet consumed."""
    if window and sent - shared.consumed.value > window:
        held = time.monotonic()
        while sent - shared.consumed.value > window:
            time.sleep(0.01)
        shared.held_s.value += time.monotonic() - held


def _publisher_paho(messages, url: str, shared: Shared, ready, go, window: int, inflight: int) -> None:
    """paho, MQTT 5, QoS 1, unlimited queue, ``inflight`` messages in flight."""
    import paho.mqtt.client as mqtt

    total = len(messages)
    client, config = _client(f"bench-pub-{uuid.uuid4().hex[:8]}", url, mqtt.MQTTv5)
    client.max_queued_messages_set(0)
    client.max_inflight_messages_set(inflight)
    connected, done = threading.Event(), threading.Event()
    acked = 0

    def on_publish(client, userdata, mid, reason, properties):
        nonlocal acked
        acked += 1
        if acked == total:
            shared.pub_last.value = time.monotonic()
            done.set()
        shared.acked.value = acked

    client.on_connect = lambda *a: connected.set()
    client.on_publish = on_publish
    client.connect(config.host, config.port, keepalive=60)
    client.loop_start()
    if not connected.wait(10):
        sys.exit("publisher: no connection to the broker")
    ready.set()
    go.wait()
    shared.pub_first.value = time.monotonic()
    publish = client.publish
    for i, (topic, payload) in enumerate(messages):
        if i % 500 == 0:
            shared.published.value = i
            _hold(shared, i, window)
        publish(topic, payload, qos=1)
    shared.published.value = total
    done.wait(3600)
    client.disconnect()
    client.loop_stop()
    shared.pub_cpu.value = time.process_time()


# A publisher that costs next to nothing: the PUBLISH packets (MQTT 3.1.1, QoS 1) are
# encoded before the clock starts and written to the socket in chunks, at most
# ``inflight`` unacknowledged; a thread counts the broker's PUBACKs. (paho spends
# ~100 µs of CPU per QoS 1 message, and this machine has two cores to share with the
# broker, the receiver and PostgreSQL.)

def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        n, byte = divmod(n, 128)
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _string(value: str) -> bytes:
    data = value.encode()
    return struct.pack("!H", len(data)) + data


def packets_encode(messages: list[tuple[str, bytes]]) -> list[bytes]:
    packets = []
    for i, (topic, payload) in enumerate(messages):
        body = _string(topic) + struct.pack("!H", i % 65535 + 1) + payload
        packets.append(b"\x32" + _varint(len(body)) + body)
    return packets


def _packets_split(buffer: bytes) -> tuple[list[int], bytes]:
    """The packet types in ``buffer``, and what is left of an incomplete last packet."""
    types, i = [], 0
    while len(buffer) - i >= 2:
        length, shift, j = 0, 0, i + 1
        while j < len(buffer):
            byte = buffer[j]
            length |= (byte & 0x7F) << shift
            shift += 7
            j += 1
            if not byte & 0x80:
                break
        else:
            break
        if j + length > len(buffer):
            break
        types.append(buffer[i] >> 4)
        i = j + length
    return types, buffer[i:]


def _publisher_raw(packets: list[bytes], url: str, shared: Shared, ready, go, window: int, inflight: int) -> None:
    from gis_core.mqtt import broker_config

    config = broker_config(url)
    if config.tls:
        sys.exit("the raw publisher speaks plain MQTT only: use --publisher paho")
    total = len(packets)
    sock = socket.create_connection((config.host, config.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    flags = 0x02 | (0x80 if config.username else 0) | (0x40 if config.password else 0)
    body = (_string("MQTT") + bytes([4, flags]) + struct.pack("!H", 0) + _string(f"bench-pub-{uuid.uuid4().hex[:8]}")
            + (_string(config.username) if config.username else b"") + (_string(config.password) if config.password else b""))
    sock.sendall(b"\x10" + _varint(len(body)) + body)
    connack = sock.recv(4)
    if len(connack) < 4 or connack[0] != 0x20 or connack[3] != 0:
        sys.exit(f"publisher: the broker refused the connection ({connack!r})")
    acked = 0
    moved = threading.Condition()

    def read() -> None:
        nonlocal acked
        rest = b""
        while acked < total:
            data = sock.recv(1 << 16)
            if not data:
                break
            types, rest = _packets_split(rest + data)
            n = types.count(4)  # PUBACK
            if n:
                with moved:
                    acked += n
                    shared.acked.value = acked
                    if acked >= total:
                        shared.pub_last.value = time.monotonic()
                    moved.notify()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    ready.set()
    go.wait()
    shared.pub_first.value = time.monotonic()
    sent = 0
    while sent < total:
        with moved:
            while sent - acked >= inflight:
                moved.wait()
            n = min(64, total - sent, inflight - (sent - acked))
        _hold(shared, sent, window)
        sock.sendall(b"".join(packets[sent:sent + n]))
        sent += n
        shared.published.value = sent
    reader.join(3600)
    sock.sendall(b"\xe0\x00")  # DISCONNECT
    sock.close()
    shared.pub_cpu.value = time.process_time()


def publisher_start(stream: Stream, url: str, shared: Shared, args,
                    window: int | None = None) -> tuple[mp.Process, object, object]:
    ready, go = mp.Event(), mp.Event()
    if args.publisher == "raw":
        target, data = _publisher_raw, stream.packets
    else:
        target, data = _publisher_paho, stream.messages
    window = args.window if window is None else window
    process = mp.Process(target=target, args=(data, url, shared, ready, go, window, args.inflight), daemon=True)
    process.start()
    return process, ready, go


def _receiver(url: str, shared: Shared, ready, stop, topics) -> None:
    """The baseline: receives (auto-ack) and counts, nothing else."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties
    from paho.mqtt.subscribeoptions import SubscribeOptions

    client, config = _client(f"bench-bare-{uuid.uuid4().hex[:8]}", url, mqtt.MQTTv5)
    received = 0
    monotonic = time.monotonic

    def on_connect(client, userdata, flags, reason, properties):
        client.subscribe([(topic, SubscribeOptions(qos=1)) for topic in topics])

    def on_message(client, userdata, msg):
        nonlocal received
        if PREFIX not in msg.topic:  # someone else's message on a shared broker
            return
        now = monotonic()
        if not received:
            shared.recv_first.value = now
        received += 1
        shared.recv_last.value = now
        shared.received.value = shared.consumed.value = received

    client.on_connect = on_connect
    client.on_subscribe = lambda *a: ready.set()
    client.on_message = on_message
    properties = Properties(PacketTypes.CONNECT)
    properties.ReceiveMaximum = 65535  # as the ingester
    client.connect(config.host, config.port, keepalive=60, clean_start=True, properties=properties)
    client.loop_start()
    stop.wait(3600)
    client.disconnect()
    client.loop_stop()


# ---------------------------------------------------------------------------- the broker

class Broker:
    """The embedded broker (shared with whoever else uses it), or a private Mosquitto
    started for the run with the embedded one's configuration (same binary, persistence,
    autosave and queue limit, same users and ACL; its own port and directory)."""

    def __init__(self, *, private: bool) -> None:
        from django.conf import settings

        from devstack import embedded

        self.home: Path | None = None
        if not private:
            self.url = settings.MQTT_URL
            self.pid = _pid_file(Path(settings.IOT_BROKER_DIR or ROOT / "var/mosquitto") / "mosquitto.pid")
            return
        source = Path(embedded.load_state().get("mqtt_dir") or settings.IOT_BROKER_DIR)
        self.home = Path(tempfile.mkdtemp(prefix="bench-mosquitto-"))
        port = embedded.free_port()
        shutil.copyfile(source / "passwd.base", self.home / "passwd")
        shutil.copyfile(source / "acl.base", self.home / "acl")
        conf = self.home / "mosquitto.conf"
        conf.write_text(
            f"pid_file {self.home / 'mosquitto.pid'}\n"
            f"user {embedded.SERVICE_USER}\n"
            "persistence true\n"
            f"persistence_location {self.home}/\n"
            "autosave_interval 10\n"
            f"log_dest file {self.home / 'mosquitto.log'}\n"
            "log_type error\nlog_type warning\nlog_type notice\n"
            "max_queued_messages 100000\n"
            f"listener {port} 127.0.0.1\n"
            "allow_anonymous false\n"
            f"password_file {self.home / 'passwd'}\n"
            f"acl_file {self.home / 'acl'}\n")
        if embedded.IS_ROOT:
            for path in (self.home, *self.home.iterdir()):
                shutil.chown(path, embedded.SERVICE_USER, embedded.SERVICE_USER)
        embedded.run(["mosquitto", "-c", str(conf), "-d"], as_service_user=True)
        for _ in range(100):
            self.pid = _pid_file(self.home / "mosquitto.pid")
            if self.pid and embedded.port_open(port):
                break
            time.sleep(0.1)
        else:
            self.stop()
            sys.exit(f"the private Mosquitto did not start; see {self.home / 'mosquitto.log'}")
        self.url = settings.MQTT_URL.rsplit(":", 1)[0] + f":{port}"

    def dropped(self) -> list[str]:
        """The broker's complaints about dropped messages (private broker only)."""
        if not self.home:
            return []
        try:
            return [line for line in (self.home / "mosquitto.log").read_text().splitlines() if "dropped" in line]
        except OSError:
            return []

    def stop(self) -> None:
        if not self.home:
            return
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGTERM)
                for _ in range(100):
                    os.kill(self.pid, 0)
                    time.sleep(0.1)
            except ProcessLookupError:
                pass
        shutil.rmtree(self.home, ignore_errors=True)


# ---------------------------------------------------------------------------- CPU accounting

_TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return 0.0


def _children(ppid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == ppid:
                    pids.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
                pass
    return pids


def _pid_file(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None


def _system_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / _TICK, sum(values[:8]) / _TICK


class CpuMeter:
    """CPU seconds used between start() and stop(): by the processes taking part, by the
    grid_bench database's backends, and by everything else on the machine (other engineers'
    tests, other databases) — this machine's two cores are shared."""

    def __init__(self, processes: dict[str, int | None], db) -> None:
        self.processes = {name: pid for name, pid in processes.items() if pid}
        self.processes["harness"] = os.getpid()
        self.postmaster = _pid_file(ROOT / "var/pg/data/postmaster.pid")
        self.db = db

    def _backends(self) -> set[int]:
        with self.db.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            return {row[0] for row in cursor.fetchall()}

    def _sample(self) -> dict[str, float]:
        sample = {name: _cpu(pid) for name, pid in self.processes.items()}
        if self.postmaster:
            every = {pid: _cpu(pid) for pid in _children(self.postmaster)}
            sample["postgres grid_bench"] = sum(cpu for pid, cpu in every.items() if pid in self.backends)
            sample["postgres rest"] = sum(cpu for pid, cpu in every.items() if pid not in self.backends)
        sample["machine"] = _system_busy()[0]
        return sample

    def start(self) -> None:
        self.backends = self._backends()
        self.before, self.started = self._sample(), time.monotonic()

    def stop(self, **ended: float) -> None:
        """``ended``: CPU seconds of processes that ended before this (they report their own)."""
        self.backends |= self._backends()
        self.after, self.wall = self._sample(), time.monotonic() - self.started
        self.ended = ended

    def used(self) -> dict[str, float]:
        used = {name: self.after[name] - self.before.get(name, 0.0) for name in self.after}
        used.update(self.ended)
        machine = used.pop("machine")
        used.pop("postgres rest", None)  # other databases: part of what is not ours
        used["not ours"] = max(0.0, machine - sum(used.values()))
        used["machine"] = machine
        return used

    def report(self) -> str:
        parts = [f"{name} {seconds:.1f} s ({seconds / self.wall:.0%})" if seconds >= 0 else f"{name} (ended)"
                 for name, seconds in self.used().items()]
        return f"  CPU over {self.wall:.1f} s (100 % = one core of {os.cpu_count()}): " + ", ".join(parts)


# ---------------------------------------------------------------------------- rounds

@dataclass
class Round:
    rate: float = 0.0               # the measured rate (bare: first→last received; ingest: first publish→committed)
    publish_rate: float = 0.0       # messages / (first publish → last PUBACK)
    held_s: float = 0.0
    done: int = 0
    expected: int = 0
    seconds: float = 0.0
    complete: bool = False
    others: float = 0.0             # share of the machine (2 cores = 2.0) used by processes not ours


def _progress(label: str, started: float, shared: Shared, done: int, last: list) -> None:
    now = time.monotonic()
    if now - last[0] >= 1.0:
        rate = (done - last[1]) / (now - last[0])
        print(f"    {label:6} {now - started:6.1f} s  published {shared.published.value:>9,}  "
              f"{'received' if label == 'bare' else 'committed'} {done:>9,}  ({rate:,.0f}/s)", flush=True)
        last[:] = [now, done]


def _wait(label: str, shared: Shared, expected: int, count, *, total: int, timeout: float,
          stall: float) -> tuple[int, float]:
    """Poll ``count()`` until it reaches ``expected``; (count, when). Gives up after
    ``timeout`` s, or ``stall`` s without progress once everything is published."""
    started = time.monotonic()
    last, moved, done = [started, 0], started, 0
    while True:
        time.sleep(POLL_S)
        now_done = count()
        now = time.monotonic()
        if now_done != done:
            done, moved = now_done, now
        if done >= expected:
            return done, now
        _progress(label, started, shared, done, last)
        published = shared.published.value >= total
        if now - started > timeout or (published and now - moved > stall):
            print(f"    {label}: gave up at {done:,} of {expected:,}")
            return done, moved


def publish_only(stream: Stream, broker: Broker, db, args) -> tuple[float, str]:
    """The publisher's own rate: the stream published with nobody subscribed (the broker
    accepts and drops each message)."""
    shared = Shared()
    publisher, ready, go = publisher_start(stream, broker.url, shared, args, window=0)
    if not ready.wait(15):
        sys.exit("the publisher could not connect to the broker")
    meter = CpuMeter({"publisher": publisher.pid, "mosquitto": broker.pid}, db)
    meter.start()
    go.set()
    publisher.join(args.timeout)
    meter.stop(publisher=shared.pub_cpu.value)
    if publisher.is_alive() or not shared.pub_last.value:
        publisher.terminate()
        sys.exit("the publisher did not finish")
    return len(stream.messages) / (shared.pub_last.value - shared.pub_first.value), meter.report()


def round_bare(stream: Stream, broker: Broker, db, args) -> tuple[Round, str]:
    from iot.ingester import TOPICS

    url = broker.url
    shared = Shared()
    ready, stop = mp.Event(), mp.Event()
    receiver = mp.Process(target=_receiver, args=(url, shared, ready, stop, TOPICS), daemon=True)
    receiver.start()
    publisher, pub_ready, go = publisher_start(stream, url, shared, args)
    if not (ready.wait(15) and pub_ready.wait(15)):
        sys.exit("bare: the receiver or the publisher could not connect to the broker")
    meter = CpuMeter({"publisher": publisher.pid, "receiver": receiver.pid, "mosquitto": broker.pid}, db)
    meter.start()
    go.set()
    total = len(stream.messages)
    done, _ = _wait("bare", shared, total, lambda: shared.received.value, total=total, timeout=args.timeout,
                    stall=10)
    meter.stop(**({"publisher": shared.pub_cpu.value} if shared.pub_cpu.value else {}))
    publisher.join(30)
    stop.set()
    receiver.join(10)
    for process in (publisher, receiver):
        if process.is_alive():
            process.terminate()
    result = Round(done=done, expected=total, complete=done >= total, held_s=shared.held_s.value)
    result.seconds = shared.recv_last.value - shared.recv_first.value
    result.rate = done / result.seconds if result.seconds > 0 else 0.0
    if shared.pub_last.value:
        result.publish_rate = total / (shared.pub_last.value - shared.pub_first.value)
    result.others = meter.used()["not ours"] / meter.wall
    return result, meter.report()


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
    def __init__(self, db_url: str, mqtt_url: str, args, profile: Path | None, group: str) -> None:
        self.client_id, self.group = f"bench-ingester-{uuid.uuid4().hex[:8]}", group
        command = ["manage.py", "run_ingester", "--client-id", self.client_id, "--group", self.group,
                   "--no-broker-sync"]
        if args.batch_size:
            command += ["--batch-size", str(args.batch_size)]
        if args.batch_ms is not None:
            command += ["--batch-ms", str(args.batch_ms)]
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
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: writes what it holds, then stops
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.reader.join(5)

    def forget_session(self, url: str) -> None:
        """Drop the persistent session (and its shared subscription) the broker keeps for
        a stopped ingester, so it does not queue later rounds' messages."""
        from gis_core.mqtt import session_end

        session_end(self.client_id, url=url)


def _warm_up(db, url: str, stream: Stream, home: Home, ingesters: list[IngesterProcess]) -> None:
    """Publish one old fix until the ingester commits it: it is then subscribed and connected
    to the database."""
    import paho.mqtt.client as mqtt

    from iot.formats.encode import native

    for ingester in ingesters:
        if not ingester.started.wait(60):
            for other in ingesters:
                other.stop()
            sys.exit("the ingester did not start:\n" + "\n".join(ingester.lines[-30:]))
    if len(ingesters) > 1:
        time.sleep(2)  # the others subscribe too (the warm-up below reaches only one of them)
    client, config = _client(f"bench-warm-{uuid.uuid4().hex[:8]}", url, mqtt.MQTTv5)
    client.connect(config.host, config.port, keepalive=30)
    client.loop_start()
    before = ingest_total(db)
    try:
        for attempt in range(60):
            when = stream.first_time - 3600 - attempt
            client.publish(*native(home.device_id, type="position", time=when, lat=home.lat, lon=home.lon, acc=10),
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
        client.disconnect()
        client.loop_stop()


def round_ingest(stream: Stream, broker: Broker, db_url: str, db, homes: list[Home], args,
                 profile: Path | None) -> tuple[Round, str, Counter]:
    url = broker.url
    database_reset(db)
    shared = Shared()
    publisher, pub_ready, go = publisher_start(stream, url, shared, args)  # forked before any thread of ours starts
    if not pub_ready.wait(15):
        sys.exit("ingest: the publisher could not connect to the broker")
    group = f"bench-{uuid.uuid4().hex[:8]}"
    ingesters = [IngesterProcess(db_url, url, args, profile if i == 0 else None, group) for i in range(args.ingesters)]
    try:
        _warm_up(db, url, stream, homes[0], ingesters)
        before = ingest_counts(db)
        baseline = sum(before.values())

        first = dt.datetime.fromtimestamp(stream.first_time, dt.UTC)

        def committed() -> int:
            n = ingest_total(db) - baseline
            shared.consumed.value = n
            if n >= stream.expected:  # counts may include strangers' messages: check the rows themselves
                with db.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM iot_position WHERE time >= %s", [first])
                    if cursor.fetchone()[0] < stream.positions:
                        return stream.expected - 1
            return n

        meter = CpuMeter({"publisher": publisher.pid, "mosquitto": broker.pid,
                          **{f"ingester{f' {i + 1}' if len(ingesters) > 1 else ''}": ingester.process.pid
                             for i, ingester in enumerate(ingesters)}}, db)
        meter.start()
        go.set()
        done, finished = _wait("ingest", shared, stream.expected, committed, total=len(stream.messages),
                               timeout=args.timeout, stall=30)
        meter.stop(**({"publisher": shared.pub_cpu.value} if shared.pub_cpu.value else {}))
        publisher.join(30)
        if publisher.is_alive():
            publisher.terminate()
        result = Round(done=done, expected=stream.expected, complete=done >= stream.expected,
                       held_s=shared.held_s.value)
        result.seconds = finished - shared.pub_first.value
        result.rate = len(stream.messages) * min(1.0, done / stream.expected) / result.seconds
        if shared.pub_last.value:
            result.publish_rate = len(stream.messages) / (shared.pub_last.value - shared.pub_first.value)
        outcomes = ingest_counts(db) - before
    finally:
        for ingester in ingesters:
            ingester.stop()
            ingester.forget_session(url)
    for ingester in ingesters:
        tail = [line for line in ingester.lines if "stopped" in line]
        if tail:
            print(f"    {tail[-1]}")
    result.others = meter.used()["not ours"] / meter.wall
    return result, meter.report(), outcomes


# ---------------------------------------------------------------------------- stages, without MQTT

_STAGES = ("_terminals_lock", "_fixes_classify", "_positions_insert", "_terminal_observe", "_zones_step",
           "_alarms_collect", "_terminals_update", "_quarantine_insert", "_counts_add")


def stages(stream: Stream, db, batch_size: int) -> None:
    """Decode the stream and write it with iot.ingest.messages_ingest in this process, in
    batches of ``batch_size``, timing each step (wall and this process's CPU; the
    difference is mostly waiting for PostgreSQL)."""
    from django.db import connection

    from iot import alerting, ingest

    database_reset(db)
    spent: dict[str, list[float]] = {}

    def timed(name, fn):
        def wrapper(*a, **kw):
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **kw)
            finally:
                total = spent.setdefault(name, [0.0, 0.0])
                total[0] += time.perf_counter() - wall
                total[1] += time.process_time() - cpu
        return wrapper

    originals = {name: getattr(ingest, name) for name in _STAGES}
    commit, notify = alerting.AlertBatch.commit, ingest.alerting.alerts_notify
    for name, fn in originals.items():
        setattr(ingest, name, timed(name, fn))
    alerting.AlertBatch.commit = timed("alerts (AlertBatch.commit)", commit)
    alerting.alerts_notify = timed("alerts_notify", notify)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        messages = [ingest.message_decode(topic, payload) for topic, payload in stream.messages]
        spent["message_decode"] = [time.perf_counter() - wall, time.process_time() - cpu]
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(messages), batch_size):
            ingest.messages_ingest(messages[i:i + batch_size])
        spent["messages_ingest (all)"] = [time.perf_counter() - wall, time.process_time() - cpu]
    finally:
        for name, fn in originals.items():
            setattr(ingest, name, fn)
        alerting.AlertBatch.commit, alerting.alerts_notify = commit, notify
        connection.close()
    n = len(messages)
    whole = spent["messages_ingest (all)"][0] + spent["message_decode"][0]
    print(f"\nstages without MQTT: {n:,} messages decoded, then written in batches of {batch_size:,} by this "
          f"process: {n / whole:,.0f} msg/s (wall {whole:.1f} s)")
    print(f"  {'step':34}{'wall µs/msg':>12}{'CPU µs/msg':>12}{'share of wall':>15}")
    for name, (w, c) in sorted(spent.items(), key=lambda item: -item[1][0]):
        print(f"  {name:34}{w / n * 1e6:12.1f}{c / n * 1e6:12.1f}{w / whole:15.0%}")


# ---------------------------------------------------------------------------- report

def sanity(db, stream: Stream, outcomes: Counter) -> None:
    like = PREFIX + "%"
    first = dt.datetime.fromtimestamp(stream.first_time, dt.UTC)
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE drawable), count(*) FILTER (WHERE drawable AND area_id IS NULL), "
            "count(*) FILTER (WHERE NOT drawable), count(*) FILTER (WHERE flags <> '') "
            "FROM iot_position WHERE time >= %s", [first])
        rows, drawable, no_area, not_drawable, flagged = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM iot_position p WHERE p.time >= %s AND p.drawable AND p.area_id IS NULL "
                       "AND EXISTS (SELECT FROM gis_core_area a WHERE ST_Covers(a.boundary, p.geom))", [first])
        no_area_inside = cursor.fetchone()[0]
        cursor.execute("SELECT zone, count(*) FROM iot_position WHERE time >= %s GROUP BY 1 ORDER BY 1", [first])
        zones = dict(cursor.fetchall())
        cursor.execute("SELECT format, count(*) FROM iot_position WHERE time >= %s GROUP BY 1 ORDER BY 1", [first])
        formats = dict(cursor.fetchall())
        cursor.execute("SELECT count(DISTINCT area_id) FROM iot_position WHERE time >= %s", [first])
        areas = cursor.fetchone()[0]
        cursor.execute("SELECT a.kind, count(*) FROM iot_alert a JOIN iot_terminal t ON t.id = a.terminal_id "
                       "WHERE t.device_id LIKE %s GROUP BY 1 ORDER BY 1", [like])
        alerts = dict(cursor.fetchall())
        cursor.execute("SELECT reason, count(*) FROM iot_quarantinedmessage GROUP BY 1 ORDER BY 2 DESC LIMIT 5")
        quarantine = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM iot_terminal WHERE device_id LIKE %s AND last_seen_at IS NOT NULL", [like])
        seen = cursor.fetchone()[0]
    sent_positions = sum(stream.zones.values())
    print("\nrows written by the last ingest round:")
    print(f"  positions stored        {rows:>9,} of {sent_positions:,} sent with a position "
          f"(drawable {drawable:,}, not drawable {not_drawable:,}, with flags {flagged:,})")
    print(f"  drawable, area_id NULL  {no_area:>9,}   ({no_area_inside:,} of them inside an area: should be 0; "
          f"{areas:,} distinct area ids)")
    print("  zone                    " + ", ".join(f"{z or '(none)'} {n:,}" for z, n in zones.items())
          + "   expected ≈ " + ", ".join(f"{z} {n:,}" for z, n in sorted(stream.zones.items())))
    print("  format                  " + ", ".join(f"{f} {n:,}" for f, n in formats.items()))
    print("  outcomes                " + ", ".join(f"{o} {n:,}" for o, n in sorted(_by_outcome(outcomes).items())))
    print("  alerts                  " + (", ".join(f"{k} {n:,}" for k, n in alerts.items()) or "none"))
    print(f"  terminals seen          {seen:>9,}")
    if quarantine:
        print("  quarantined             " + "; ".join(f"{n:,} × {r}" for r, n in quarantine))


def _by_outcome(outcomes: Counter) -> Counter:
    by: Counter = Counter()
    for (_, outcome), n in outcomes.items():
        by[outcome] += n
    return by


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_profile(path: Path) -> None:
    import pstats

    print(f"\ningester profile ({path}), all threads, top 25 by cumulative time:")
    stats = pstats.Stats(str(path))
    stats.sort_stats("cumulative").print_stats(25)
    print("top 20 by own time:")
    stats.sort_stats("tottime").print_stats(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=5000, help="terminals sending (default 5000)")
    parser.add_argument("--messages", type=int, default=200_000, help="messages in the stream (default 200000)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of bare then ingest (default 1; 0 with --stages: only those)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--sos", type=int, default=10, help="SOS messages in the stream (default 10)")
    parser.add_argument("--heartbeats", type=float, default=0.001, help="share of heartbeats (default 0.001)")
    parser.add_argument("--window", type=int, default=50_000,
                        help="most messages published but not yet received/committed (0: no limit; the broker "
                             "drops beyond 100,000 queued per client)")
    parser.add_argument("--timeout", type=float, default=600, help="longest round, seconds (default 600)")
    parser.add_argument("--ingesters", type=int, default=1,
                        help="run_ingester processes sharing the subscription (default 1)")
    parser.add_argument("--batch-size", type=int, help="passed to run_ingester (its default: 5000)")
    parser.add_argument("--batch-ms", type=float, help="passed to run_ingester (its default: 50)")
    parser.add_argument("--publisher", choices=("raw", "paho"), default="raw",
                        help="raw (default): pre-encoded MQTT 3.1.1 QoS 1 packets written to a socket, nearly free "
                             "of CPU; paho: paho-mqtt MQTT 5 client, unlimited queue (costs ~100 µs CPU a message)")
    parser.add_argument("--inflight", type=int, default=1000, help="publisher's unacknowledged messages (default 1000)")
    parser.add_argument("--shared-broker", action="store_true",
                        help="use the embedded broker (MQTT_URL) instead of a private one started for the run: "
                             "then anyone else subscribed to terminal topics receives the stream too")
    parser.add_argument("--stages", action="store_true",
                        help="afterwards, decode and write the stream in this process without MQTT, timing each "
                             "step of iot.ingest.messages_ingest")
    parser.add_argument("--skip-bare", action="store_true", help="ingest rounds only (no ratio)")
    parser.add_argument("--profile", nargs="?", const=str(ROOT / "var/bench_ingest.prof"), metavar="FILE",
                        help="run the ingester under cProfile (all threads), write FILE (default "
                             "var/bench_ingest.prof) and print the top functions; slows it down")
    args = parser.parse_args()
    db_url = use_bench_database()
    mp.set_start_method("fork")

    import psycopg

    db = psycopg.connect(db_url.replace("postgres://", "postgresql://", 1), autocommit=True)
    terminals_ensure(db, args.devices)
    homes = homes_load(db, args.devices)
    if len(homes) < args.devices:
        print(f"note: {args.devices - len(homes):,} terminals have no home (no safe-zone centre); using {len(homes):,}")
    started = time.perf_counter()
    stream = stream_generate(homes, args.messages, seed=args.seed, sos=args.sos, heartbeat_share=args.heartbeats)
    kinds = Counter()
    for (_, kind), n in stream.kinds.items():
        kinds[kind] += n
    formats = Counter()
    for (fmt, _), n in stream.kinds.items():
        formats[fmt] += n
    print(f"devices {len(homes):,}; stream of {len(stream.messages):,} messages generated in "
          f"{time.perf_counter() - started:.1f} s ({stream.payload_bytes / len(stream.messages):.0f} bytes each on "
          f"average): " + ", ".join(f"{k} {n:,}" for k, n in sorted(kinds.items())) + "; "
          + ", ".join(f"{f} {n:,}" for f, n in sorted(formats.items())))
    print(f"outcomes expected per ingest round: {stream.expected:,} (heartbeats are counted nowhere)")
    if args.publisher == "raw":
        stream.packets = packets_encode(stream.messages)
    broker = Broker(private=not args.shared_broker)
    print(f"broker: {'private Mosquitto' if broker.home else 'embedded Mosquitto (shared)'} "
          f"on {broker.url.rsplit('@', 1)[-1]}; publisher: {args.publisher}, {args.inflight} in flight, "
          f"window {args.window:,}; ingesters: {args.ingesters}")
    try:
        run_rounds(args, stream, broker, db, db_url, homes)
    finally:
        broker.stop()
        db.close()


def run_rounds(args, stream: Stream, broker: Broker, db, db_url: str, homes: list[Home]) -> None:
    bare_rounds: list[Round] = []
    ingest_rounds: list[Round] = []
    outcomes: Counter = Counter()
    profile = Path(args.profile) if args.profile else None
    publish, cpu = publish_only(stream, broker, db, args)
    print(f"\npublish only (nobody subscribed) {publish:>9,.0f} msg/s")
    print(cpu)
    for k in range(args.repeat):
        print(f"\nround {k + 1} of {args.repeat}")
        if not args.skip_bare:
            result, cpu = round_bare(stream, broker, db, args)
            bare_rounds.append(result)
            print(f"  bare receive   {result.rate:>9,.0f} msg/s  ({result.done:,} of {result.expected:,} in "
                  f"{result.seconds:.2f} s)   publish {result.publish_rate:,.0f} msg/s, held back "
                  f"{result.held_s:.1f} s")
            print(cpu)
        result, cpu, outcomes = round_ingest(stream, broker, db_url, db, homes, args, profile if k == 0 else None)
        ingest_rounds.append(result)
        print(f"  ingest         {result.rate:>9,.0f} msg/s  ({result.done:,} of {result.expected:,} outcomes in "
              f"{result.seconds:.2f} s)   publish {result.publish_rate:,.0f} msg/s, held back {result.held_s:.1f} s")
        print(cpu)

    if not ingest_rounds:  # --repeat 0
        if args.stages:
            stages(stream, db, args.batch_size or 5000)
        return
    sanity(db, stream, outcomes)
    for line in broker.dropped():
        print(f"  broker: {line}")
    ingest = statistics.median(r.rate for r in ingest_rounds)
    complete = all(r.complete for r in ingest_rounds + bare_rounds)
    others = statistics.median(r.others for r in ingest_rounds + bare_rounds)
    print(f"\nsummary ({args.repeat} round{'s' if args.repeat > 1 else ''}, medians)"
          + ("" if complete else " — INCOMPLETE: some messages never arrived, rates are of what did"))
    print(f"  devices {len(homes):,}, messages {len(stream.messages):,}, publisher {args.publisher}")
    print(f"  publish rate            {publish:>9,.0f} msg/s   (nobody subscribed; in the rounds the publisher "
          f"follows the receiver, at most {args.window:,} ahead)")
    if bare_rounds:
        bare = statistics.median(r.rate for r in bare_rounds)
        print(f"  bare receive rate       {bare:>9,.0f} msg/s")
    print(f"  ingest rate, end to end {ingest:>9,.0f} msg/s   target ≥ {TARGET_RATE:,}: "
          f"{verdict(ingest >= TARGET_RATE and complete)}")
    if bare_rounds:
        ratio = ingest / bare
        print(f"  ratio ingest / bare     {ratio:>9.2f}         target ≥ {TARGET_RATIO}: "
              f"{verdict(ratio >= TARGET_RATIO and complete)}")
    if others > 0.2:
        print(f"  note: processes not ours used {others:.0%} of a core during the rounds (median): this machine was "
              f"shared, so the rates are lower than on an idle one")
    if profile and profile.exists():
        print_profile(profile)
    if args.stages:
        stages(stream, db, args.batch_size or 5000)


if __name__ == "__main__":
    main()
