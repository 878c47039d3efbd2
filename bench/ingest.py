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
  topic filters counts the stream and writes nothing; its rate is
  messages / (first to last message received);
- floor — the baseline of the target: what any ingest of this stream must do at least.
  ``--ingesters`` processes on a shared subscription receive the stream as the ingester
  does (paho, MQTT 5, QoS 1, manual acknowledgement, its receive maximum, batch size and
  wait) and COPY one raw row per message (device id from the topic, time received,
  payload) into a plain *logged* table (the ingester's durability; no index), one
  transaction per batch, acknowledging after the commit (``gis_core.mqtt.acks_send``, as
  the ingester). No decoding, no cell, zone, terminal state or alert. One row per message:
  the ingester stores one per fix, the same but for the 0.1 % heartbeats. Its rate is
  measured as the ingester's: messages / (first publish → every message committed);
- ingest: ``manage.py run_ingester`` (its own process, on grid_bench, DEBUG=0) receives
  the same stream; its rate is messages / (first publish → the moment the database has
  committed an outcome for every message — iot_ingestcount, polled every 50 ms).
Before each ingest round the positions, the bench terminals' alerts and state, and the
quarantine are cleared, so rounds are comparable.

The stream is published, QoS 1, by a separate process as the app user, as fast as the
broker takes it (1,000 in flight); it holds back only when more than --window messages
are published but not yet received/committed (the broker keeps at most 100,000 queued
messages per client and drops the rest). By default the publisher writes pre-encoded
MQTT 3.1.1 packets to a socket (bench/lib/mqtt_publish.py), which costs next to no CPU; ``--publisher paho`` uses a
paho MQTT 5 client instead (unlimited queue), which itself needs most of a core.

By default the rounds run on a private Mosquitto started for the run with the embedded
broker's configuration (bench/lib/broker.py: same users, ACL, persistence and queue limit), so that other
people's ingesters and tests on the embedded broker neither receive the stream nor add
to it; ``--shared-broker`` uses the embedded broker (MQTT_URL).

CPU seconds of each process, of grid_bench's PostgreSQL backends and of everything else
on the machine are printed for each round: the two cores are shared. At the end, a table
splits the CPU per message: *receive* (the MQTT network thread of the receiver, floor or
ingester, less decoding), *decode* (``message_decode`` over the stream, measured apart),
*write* (the writer thread: batching, per-message Python, COPY, commit, acknowledgements),
*PostgreSQL* (grid_bench's backends) — with each process's ceiling, 10⁶ / its Python µs
(its threads share one core). ``--profile`` runs
the ingester under cProfile (all threads); ``--stages`` times the steps of
iot.batch_write.messages_ingest (its ``on_stage`` hook) in this process without MQTT.

Targets (issue 15): ingest ≥ 8,000 messages/s with one ingester, and ≥ 0.8 × the floor
measured in the same run (ingest / bare is printed too).

Needs the database grid_bench (`.venv/bin/python bench/seed.py`).
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.lib.broker import Broker, paho_client
from bench.lib.cpu import CpuMeter, ThreadSplit
from bench.lib.database import bare_connection, use_bench_database
from bench.lib.ingester import IngesterProcess, warm_up
from bench.lib.mqtt_publish import RawPublisher, packets_encode
from bench.lib.processes import mp_stop
from bench.lib.report import Results
from bench.lib.stream import Stream, stream_generate
from bench.lib.terminals import PREFIX, Home, database_reset, homes_load, ingest_counts, ingest_total, terminals_ensure

TARGET_RATE = 8000
TARGET_RATIO = 0.8
POLL_S = 0.05
CHILD_WAIT_S = 3600  # the longest a publisher or receiver process waits for anything


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



def _hold(shared: Shared, sent: int, window: int) -> None:
    """Wait while more than ``window`` messages are published but not yet consumed."""
    if window and sent - shared.consumed.value > window:
        held = time.monotonic()
        while sent - shared.consumed.value > window and time.monotonic() - held < CHILD_WAIT_S:
            time.sleep(0.01)
        shared.held_s.value += time.monotonic() - held


def _publisher_paho(messages, url: str, shared: Shared, ready, go, window: int, inflight: int) -> None:
    """paho, MQTT 5, QoS 1, unlimited queue, ``inflight`` messages in flight."""
    import paho.mqtt.client as mqtt

    total = len(messages)
    client, config = paho_client(f"bench-pub-{uuid.uuid4().hex[:8]}", url, mqtt.MQTTv5)
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
    go.wait(CHILD_WAIT_S)
    shared.pub_first.value = time.monotonic()
    publish = client.publish
    for i, (topic, payload) in enumerate(messages):
        if i % 500 == 0:
            shared.published.value = i
            _hold(shared, i, window)
        publish(topic, payload, qos=1)
    shared.published.value = total
    done.wait(CHILD_WAIT_S)
    client.disconnect()
    client.loop_stop()
    shared.pub_cpu.value = time.process_time()


def _publisher_raw(packets: list[bytes], url: str, shared: Shared, ready, go, window: int, inflight: int) -> None:
    """bench.lib.mqtt_publish's raw publisher (a fraction of paho's CPU), held back by the window."""
    try:
        publisher = RawPublisher(url, f"bench-pub-{uuid.uuid4().hex[:8]}")
    except (ValueError, ConnectionError) as exc:
        sys.exit(f"publisher: {exc} (use --publisher paho)")
    total = len(packets)

    def on_acked(acked: int) -> None:
        shared.acked.value = acked
        if acked >= total:
            shared.pub_last.value = time.monotonic()

    def on_sent(sent: int) -> None:
        shared.published.value = sent

    ready.set()
    go.wait(CHILD_WAIT_S)
    shared.pub_first.value = time.monotonic()
    publisher.publish(packets, inflight=inflight, timeout=CHILD_WAIT_S, on_acked=on_acked,
                      before_send=lambda sent: _hold(shared, sent, window), on_sent=on_sent)
    publisher.close()
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

    client, config = paho_client(f"bench-bare-{uuid.uuid4().hex[:8]}", url, mqtt.MQTTv5)
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
    stop.wait(CHILD_WAIT_S)
    client.disconnect()
    client.loop_stop()


FLOOR_TABLE = "bench_ingest_floor"
# The floor's table: plain, logged (the ingester's durability), no index, no key.
_FLOOR_CREATE = f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} (device text, received_at timestamptz, payload bytea)"


def _floor(url: str, db_url: str, counter, ready, stop, topics, group: str, batch_size: int,
           batch_seconds: float) -> None:
    """The floor of ingest: receive the stream as the ingester does (paho, MQTT 5, QoS 1,
    manual acknowledgement, the same shared subscription and receive maximum) and COPY one
    raw row per message (device id from the topic, time received, payload) into a plain
    logged table, one transaction per batch (the ingester's batch size and wait), and
    acknowledge each message after its batch committed. No decoding, no cell, zone,
    terminal state or alert: what any ingest must do at least."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties
    from paho.mqtt.subscribeoptions import SubscribeOptions

    from gis_core.mqtt import acks_send, mqtt_client

    db = bare_connection(db_url, autocommit=False)
    client = mqtt_client(f"bench-floor-{uuid.uuid4().hex[:8]}", url=url, manual_ack=True)
    config = paho_client("unused", url, mqtt.MQTTv5)[1]
    arrived = threading.Condition()
    pending: list[tuple[str, dt.datetime, bytes, int]] = []
    now = dt.datetime.now
    utc = dt.UTC

    def on_connect(client, userdata, flags, reason, properties):
        client.subscribe([(f"$share/{group}/{topic}", SubscribeOptions(qos=1)) for topic in topics])

    def on_message(client, userdata, msg):
        parts = msg.topic.split("/")
        row = (parts[2] if parts[0] == "owntracks" else parts[1], now(utc), msg.payload, msg.mid)
        with arrived:
            pending.append(row)
            if len(pending) == 1 or len(pending) >= batch_size:
                arrived.notify()

    client.on_connect = on_connect
    client.on_subscribe = lambda *a: ready.set()
    client.on_message = on_message
    properties = Properties(PacketTypes.CONNECT)
    properties.ReceiveMaximum = 65535  # as the ingester (iot.mqtt_receiver.RECEIVE_MAXIMUM)
    client.connect(config.host, config.port, keepalive=60, clean_start=True, properties=properties)
    client.loop_start()
    committed = 0
    copy_sql = f"COPY {FLOOR_TABLE} (device, received_at, payload) FROM STDIN"
    try:
        while not stop.is_set():
            with arrived:  # as Ingester._take: a first message, then up to batch_seconds for more
                if not pending:
                    arrived.wait(timeout=0.2)
                if pending and len(pending) < batch_size:
                    arrived.wait(timeout=batch_seconds)
                batch = pending[:batch_size]
                del pending[:batch_size]
            if not batch:
                continue
            with db.cursor() as cursor, cursor.copy(copy_sql) as copy:
                for device, received_at, payload, _ in batch:
                    copy.write_row((device, received_at, payload))
            db.commit()
            acks_send(client, [row[3] for row in batch])  # as the ingester acknowledges
            committed += sum(1 for row in batch if row[0].startswith(PREFIX))  # not a shared broker's strangers
            counter.value = committed
    finally:
        client.disconnect()
        client.loop_stop()
        db.close()


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
    cpu: dict = field(default_factory=dict)  # CPU µs per message: network thread, writer thread, PostgreSQL


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
        mp_stop(publisher, timeout=5)
        sys.exit("the publisher did not finish")
    return len(stream.messages) / (shared.pub_last.value - shared.pub_first.value), meter.report()


def round_bare(stream: Stream, broker: Broker, db, args) -> tuple[Round, str]:
    from iot.mqtt_receiver import TOPICS

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
    mp_stop(publisher, timeout=30)
    stop.set()
    mp_stop(receiver, timeout=10)
    result = Round(done=done, expected=total, complete=done >= total, held_s=shared.held_s.value)
    result.seconds = shared.recv_last.value - shared.recv_first.value
    result.rate = done / result.seconds if result.seconds > 0 else 0.0
    if shared.pub_last.value:
        result.publish_rate = total / (shared.pub_last.value - shared.pub_first.value)
    used = meter.used()
    result.others = used["not ours"] / meter.wall
    result.cpu = _per_message(done, network=used["receiver"])
    return result, meter.report()


def round_floor(stream: Stream, broker: Broker, db_url: str, db, args) -> tuple[Round, str]:
    """The floor: ``--ingesters`` floor processes (bare receive + COPY of raw rows + ack
    after commit, see ``_floor``) on a shared subscription; rate measured as the
    ingester's: messages / (first publish → every message committed)."""
    from iot.mqtt_receiver import BATCH_SECONDS, BATCH_SIZE, TOPICS

    url = broker.url
    with db.cursor() as cursor:
        cursor.execute(_FLOOR_CREATE)
        cursor.execute(f"TRUNCATE {FLOOR_TABLE}")
    shared = Shared()
    publisher, pub_ready, go = publisher_start(stream, url, shared, args)
    group = f"bench-floor-{uuid.uuid4().hex[:8]}"
    stop = mp.Event()
    batch_size = args.batch_size or BATCH_SIZE
    batch_seconds = BATCH_SECONDS if args.batch_ms is None else args.batch_ms / 1000
    floors = []
    for _ in range(args.ingesters):
        ready, counter = mp.Event(), mp.RawValue("q", 0)
        process = mp.Process(target=_floor, args=(url, db_url, counter, ready, stop, TOPICS, group, batch_size,
                                                  batch_seconds), daemon=True)
        process.start()
        floors.append((process, ready, counter))
    try:
        if not (all(ready.wait(15) for _, ready, _ in floors) and pub_ready.wait(15)):
            sys.exit("floor: a floor process or the publisher could not connect to the broker")
        splits = [ThreadSplit(process.pid) for process, _, _ in floors]
        meter = CpuMeter({"publisher": publisher.pid, "mosquitto": broker.pid,
                          **{f"floor{f' {i + 1}' if len(floors) > 1 else ''}": process.pid
                             for i, (process, _, _) in enumerate(floors)}}, db)
        for split in splits:
            split.start()
        meter.start()
        go.set()
        total = len(stream.messages)

        def committed() -> int:
            shared.consumed.value = n = sum(counter.value for _, _, counter in floors)
            return n

        done, finished = _wait("floor", shared, total, committed, total=total, timeout=args.timeout, stall=30)
        for split in splits:
            split.stop()
        meter.stop(**({"publisher": shared.pub_cpu.value} if shared.pub_cpu.value else {}))
    finally:
        mp_stop(publisher, timeout=30)
        stop.set()
        for process, _, _ in floors:
            mp_stop(process, timeout=10)
    result = Round(done=done, expected=total, complete=done >= total, held_s=shared.held_s.value)
    result.seconds = finished - shared.pub_first.value
    result.rate = done / result.seconds
    if shared.pub_last.value:
        result.publish_rate = total / (shared.pub_last.value - shared.pub_first.value)
    used = meter.used()
    result.others = used["not ours"] / meter.wall
    result.cpu = _per_message(done, network=sum(s.others for s in splits), writer=sum(s.main for s in splits),
                              postgres=used.get("postgres grid_bench", 0.0))
    return result, meter.report()


def _per_message(n: int, **seconds: float) -> dict[str, float]:
    return {name: value / n * 1e6 for name, value in seconds.items()} if n else {}


def round_ingest(stream: Stream, broker: Broker, db_url: str, db, homes: list[Home], args,
                 profile: Path | None) -> tuple[Round, str, Counter]:
    url = broker.url
    database_reset(db)
    shared = Shared()
    publisher, pub_ready, go = publisher_start(stream, url, shared, args)  # forked before any thread of ours starts
    if not pub_ready.wait(15):
        sys.exit("ingest: the publisher could not connect to the broker")
    group = f"bench-{uuid.uuid4().hex[:8]}"
    ingesters = [IngesterProcess(db_url, url, group=group, batch_size=args.batch_size, batch_ms=args.batch_ms,
                                 profile=profile if i == 0 else None) for i in range(args.ingesters)]
    try:
        warm_up(db, url, stream.first_time, homes[0], ingesters)
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
        splits = [ThreadSplit(ingester.process.pid) for ingester in ingesters]
        for split in splits:
            split.start()
        meter.start()
        go.set()
        done, finished = _wait("ingest", shared, stream.expected, committed, total=len(stream.messages),
                               timeout=args.timeout, stall=30)
        for split in splits:
            split.stop()
        meter.stop(**({"publisher": shared.pub_cpu.value} if shared.pub_cpu.value else {}))
        mp_stop(publisher, timeout=30)
        result = Round(done=done, expected=stream.expected, complete=done >= stream.expected,
                       held_s=shared.held_s.value)
        result.seconds = finished - shared.pub_first.value
        result.rate = len(stream.messages) * min(1.0, done / stream.expected) / result.seconds
        if shared.pub_last.value:
            result.publish_rate = len(stream.messages) / (shared.pub_last.value - shared.pub_first.value)
        outcomes = ingest_counts(db) - before
    finally:
        mp_stop(publisher, timeout=5)
        for ingester in ingesters:
            ingester.stop()
            ingester.forget_session(url)
    for ingester in ingesters:
        tail = [line for line in ingester.lines if "stopped" in line]
        if tail:
            print(f"    {tail[-1]}")
    used = meter.used()
    result.others = used["not ours"] / meter.wall
    # the main thread writes the batches; the others are paho's network thread (receive, decode)
    # and the urgent lane (idle but for the few SOS)
    result.cpu = _per_message(round(len(stream.messages) * min(1.0, done / stream.expected)),
                              network=sum(s.others for s in splits), writer=sum(s.main for s in splits),
                              postgres=used.get("postgres grid_bench", 0.0))
    return result, meter.report(), outcomes


# ---------------------------------------------------------------------------- stages, without MQTT

def stages(stream: Stream, db_url: str, batch_size: int) -> None:
    """Decode the stream and write it with iot.batch_write.messages_ingest in this process, in
    batches of ``batch_size``, timing each step through its ``on_stage`` hook (wall; and
    this process's CPU between one step's end and the next: the difference is mostly
    waiting for PostgreSQL)."""
    from django.db import connection

    from iot import batch_write as ingest

    with bare_connection(db_url) as db:
        database_reset(db)
    spent: dict[str, list[float]] = {}
    cpu_mark = [0.0]

    def on_stage(name: str, seconds: float) -> None:
        cpu = time.process_time()
        total = spent.setdefault(name, [0.0, 0.0])
        total[0] += seconds
        total[1] += cpu - cpu_mark[0]
        cpu_mark[0] = cpu

    try:
        wall, cpu = time.perf_counter(), time.process_time()
        messages = [ingest.message_decode(topic, payload) for topic, payload in stream.messages]
        spent["message_decode"] = [time.perf_counter() - wall, time.process_time() - cpu]
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(messages), batch_size):
            cpu_mark[0] = time.process_time()
            ingest.messages_ingest(messages[i:i + batch_size], on_stage=on_stage)
        spent["messages_ingest (all)"] = [time.perf_counter() - wall, time.process_time() - cpu]
    finally:
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
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of bare, floor, then ingest (default 1; 0 with --stages: only those)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--sos", type=int, default=10, help="SOS messages in the stream (default 10)")
    parser.add_argument("--heartbeats", type=float, default=0.001, help="share of heartbeats (default 0.001)")
    parser.add_argument("--window", type=int, default=50_000,
                        help="most messages published but not yet received/committed (0: no limit; the broker "
                             "drops beyond 100,000 queued per client)")
    parser.add_argument("--timeout", type=float, default=600, help="longest round, seconds (default 600)")
    parser.add_argument("--ingesters", type=int, default=1,
                        help="run_ingester processes sharing the subscription (default 1)")
    parser.add_argument("--batch-size", type=int, help="passed to run_ingester (its default: 1000); --stages: 5000")
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
                             "step of iot.batch_write.messages_ingest")
    parser.add_argument("--skip-bare", action="store_true",
                        help="ingest rounds only (no bare receive, no floor: no ratio)")
    parser.add_argument("--profile", nargs="?", const=str(ROOT / "var/bench_ingest.prof"), metavar="FILE",
                        help="run the ingester under cProfile (all threads), write FILE (default "
                             "var/bench_ingest.prof) and print the top functions; slows it down")
    args = parser.parse_args()
    db_url = use_bench_database()
    mp.set_start_method("fork")

    db = bare_connection(db_url)
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
    try:
        with Broker(private=not args.shared_broker) as broker:
            print(f"broker: {'private Mosquitto' if broker.home else 'embedded Mosquitto (shared)'} "
                  f"on {broker.url.rsplit('@', 1)[-1]}; publisher: {args.publisher}, {args.inflight} in flight, "
                  f"window {args.window:,}; ingesters: {args.ingesters}")
            results = run_rounds(args, stream, broker, db, db_url, homes)
    finally:
        db.close()
    if args.stages:
        stages(stream, db_url, args.batch_size or 5000)
    results.print()


def run_rounds(args, stream: Stream, broker: Broker, db, db_url: str, homes: list[Home]) -> Results:
    results = Results()
    bare_rounds: list[Round] = []
    floor_rounds: list[Round] = []
    ingest_rounds: list[Round] = []
    outcomes: Counter = Counter()
    profile = Path(args.profile) if args.profile else None
    decode_us = decode_cpu(stream)
    print(f"\ndecoding (iot.batch_write.message_decode, in this process): {decode_us:.1f} µs CPU a message")
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
            result, cpu = round_floor(stream, broker, db_url, db, args)
            floor_rounds.append(result)
            print(f"  floor          {result.rate:>9,.0f} msg/s  ({result.done:,} of {result.expected:,} committed in "
                  f"{result.seconds:.2f} s)   publish {result.publish_rate:,.0f} msg/s, held back "
                  f"{result.held_s:.1f} s")
            print(cpu)
        result, cpu, outcomes = round_ingest(stream, broker, db_url, db, homes, args, profile if k == 0 else None)
        ingest_rounds.append(result)
        print(f"  ingest         {result.rate:>9,.0f} msg/s  ({result.done:,} of {result.expected:,} outcomes in "
              f"{result.seconds:.2f} s)   publish {result.publish_rate:,.0f} msg/s, held back {result.held_s:.1f} s")
        print(cpu)
    if floor_rounds:
        with db.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {FLOOR_TABLE}")

    if not ingest_rounds:  # --repeat 0
        return results
    sanity(db, stream, outcomes)
    for line in broker.dropped():
        print(f"  broker: {line}")
    cpu_split(bare_rounds, floor_rounds, ingest_rounds, decode_us, args.ingesters)
    ingest = statistics.median(r.rate for r in ingest_rounds)
    complete = all(r.complete for r in ingest_rounds + bare_rounds + floor_rounds)
    others = statistics.median(r.others for r in ingest_rounds + bare_rounds + floor_rounds)
    print(f"\nsummary ({args.repeat} round{'s' if args.repeat > 1 else ''}, medians)"
          + ("" if complete else " — INCOMPLETE: some messages never arrived, rates are of what did"))
    print(f"  devices {len(homes):,}, messages {len(stream.messages):,}, publisher {args.publisher}, "
          f"ingesters {args.ingesters}")
    print(f"  publish rate            {publish:>9,.0f} msg/s   (nobody subscribed; in the rounds the publisher "
          f"follows the receiver, at most {args.window:,} ahead)")
    if bare_rounds:
        bare = statistics.median(r.rate for r in bare_rounds)
        floor = statistics.median(r.rate for r in floor_rounds)
        print(f"  bare receive rate       {bare:>9,.0f} msg/s   (auto-ack, nothing written)")
        print(f"  floor rate              {floor:>9,.0f} msg/s   (receive, COPY raw rows into a logged table, "
              f"ack after commit; {args.ingesters} process{'es' if args.ingesters > 1 else ''})")
    print(f"  ingest rate, end to end {ingest:>9,.0f} msg/s   target ≥ {TARGET_RATE:,}: "
          f"{verdict(ingest >= TARGET_RATE and complete)}")
    if bare_rounds:
        print(f"  ratio ingest / floor    {ingest / floor:>9.2f}         target ≥ {TARGET_RATIO}: "
              f"{verdict(ingest / floor >= TARGET_RATIO and complete)}")
        print(f"  ratio ingest / bare     {ingest / bare:>9.2f}         (no target: bare writes nothing)")
    rate_target = (f"target ≥ {TARGET_RATE:,} msg/s: {verdict(ingest >= TARGET_RATE and complete)}"
                   + ("" if complete else "; INCOMPLETE") + f"; {args.ingesters} ingester(s)")
    if bare_rounds:
        results.ratio("ingest rate, end to end", ingest, floor, unit="msg/s",
                      against="floor (receive + COPY raw rows + ack after commit)", target=TARGET_RATIO,
                      higher_is_better=True, digits=0, note=rate_target)
        results.ratio("ingest rate, end to end", ingest, bare, unit="msg/s", against="bare receive", digits=0)
    else:
        results.figure("ingest rate, end to end", ingest, unit="msg/s", digits=0, note="--skip-bare: no baseline; "
                       + rate_target)
    if others > 0.2:
        print(f"  note: processes not ours used {others:.0%} of a core during the rounds (median): this machine was "
              f"shared, so the rates are lower than on an idle one")
    if profile and profile.exists():
        print_profile(profile)
    return results


def decode_cpu(stream: Stream) -> float:
    """CPU µs a message of ``message_decode`` over the stream, in this process (the share of
    the ingester's network thread that is decoding)."""
    from iot.batch_write import message_decode

    started = time.process_time()
    for topic, payload in stream.messages:
        message_decode(topic, payload)
    return (time.process_time() - started) / len(stream.messages) * 1e6


def cpu_split(bare_rounds: list[Round], floor_rounds: list[Round], ingest_rounds: list[Round], decode_us: float,
              processes: int) -> None:
    """CPU µs per message by step (medians over the rounds). *receive*: the MQTT network
    thread(s) (paho: read, parse, and for the floor and ingest the acknowledgements' share),
    less decoding for ingest; *decode*: measured apart (``decode_cpu``); *write*: the
    writer thread (batching, per-message Python, COPY, commit, acks); *PostgreSQL*:
    grid_bench's backends. A process's threads share one core (the GIL): its ceiling is
    1 / (receive + decode + write)."""
    def median(rounds: list[Round], key: str) -> float | None:
        values = [r.cpu[key] for r in rounds if key in r.cpu]
        return statistics.median(values) if values else None

    rows = []
    if bare_rounds:
        rows.append(("bare receive (auto-ack)", median(bare_rounds, "network"), None, None, None,
                     statistics.median(r.rate for r in bare_rounds), 1))
    if floor_rounds:
        rows.append(("floor (raw rows, COPY)", median(floor_rounds, "network"), None, median(floor_rounds, "writer"),
                     median(floor_rounds, "postgres"), statistics.median(r.rate for r in floor_rounds), processes))
    network = median(ingest_rounds, "network")
    rows.append(("ingest", network - decode_us if network is not None else None, decode_us,
                 median(ingest_rounds, "writer"), median(ingest_rounds, "postgres"),
                 statistics.median(r.rate for r in ingest_rounds), processes))
    print(f"\nCPU per message, µs (medians; {processes} process{'es' if processes > 1 else ''} for floor and ingest, "
          f"summed)")
    print(f"  {'':26}{'receive':>9}{'decode':>9}{'write':>9}{'Python':>9}{'Postgres':>10}{'total':>9}"
          f"{'rate/s':>9}{'ceiling/s':>11}")
    for name, receive, decode, write, postgres, rate, n in rows:
        python = sum(v for v in (receive, decode, write) if v is not None)
        total = python + (postgres or 0.0)
        cells = "".join(f"{v:9.1f}" if v is not None else f"{'–':>9}" for v in (receive, decode, write, python))
        pg = f"{postgres:10.1f}" if postgres is not None else f"{'–':>10}"
        ceiling = n * 1e6 / python if python else 0.0
        print(f"  {name:26}{cells}{pg}{total:9.1f}{rate:9,.0f}{ceiling:11,.0f}")
    print("  receive: MQTT network thread(s); decode: message_decode measured apart; write: the writer (main) "
          "thread;\n  Python = their sum, whose ceiling (one core per process, the GIL) is 10⁶ / Python × processes; "
          "Postgres: grid_bench's backends")

if __name__ == "__main__":
    main()
