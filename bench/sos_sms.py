"""Benchmark: SOS → the first SMS submitted to the gateway, under a steady stream of
background positions, on the 1,000,000-person demo district.

    .venv/bin/python bench/sos_sms.py [--sos 40] [--background 2000] [--gap 0.5]

On grid_bench (bench/seed.py; the bench terminals of bench/ingest.py are created when
missing), in one run, everything as the Procfile starts it:
- a private Mosquitto (bench/lib/broker.py), ``manage.py run_ingester``, the notification
  worker (the Procfile's ``worker``: ``manage.py procrastinate worker …``) and
  the SMSC simulator as a process of its own (bench/lib/smsc.py: it logs when it accepts
  each message; SMPP_URL points the worker at it);
- a publisher process sending --background position messages per second from the bench
  terminals, in the three formats (as bench/sos_latency.py);
- each SOS elder gets a bench emergency contact first in order (a phone of its own,
  removed at the end with its messages);
- then, one at a time, --sos SOS messages (native format, each from another terminal)
  published at QoS 1; the latency of each is the time from the publish call to the SMSC
  simulator accepting the SMS to that contact (ingester → alert and its job in one
  transaction → the urgent queue's worker: fan-out to the contacts → their delivery jobs
  → claim, submit_sm). Simulator and bench share the machine's clock.

Baselines, in the same run: the same SOS messages' MQTT delivery to a plain paho
subscriber (publish → on_message: what the broker alone costs), and a bare submit_sm round
trip to the same simulator (what the gateway alone costs).

A separate script rather than a stage of bench/sos_latency.py: that one's browser and web
server are no part of this path, and each figure stays comparable with its earlier runs.
Every wait is bounded: --sos-wait seconds for an SMS (the run stops at the first that
takes longer), 60 s for the processes to start.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.lib import timing
from bench.lib.broker import Broker, Delivery, background_publisher, paho_client
from bench.lib.database import use_bench_database
from bench.lib.ingester import IngesterProcess, warm_up
from bench.lib.processes import mp_stop, popen_stop
from bench.lib.report import Results, say
from bench.lib.smsc import SmscProcess
from bench.lib.stream import sos_arguments, sos_stream
from devstack.procfile import procfile_argv

DEVICES = 5000
CONTACT = "[bench] 家属"
PHONE_PREFIX = "1990000"  # the bench contacts' phones: 1990000nnnn
WORKER = procfile_argv("worker")


def contacts_add(db, homes) -> dict[str, str]:
    """A bench emergency contact, first in order, for each SOS elder: device id → phone."""
    phones = {}
    with db.cursor() as cursor:
        for n, home in enumerate(homes):
            phone = f"{PHONE_PREFIX}{n:04d}"
            cursor.execute("""INSERT INTO iot_emergencycontact (person_id, name, relation, phone, priority)
                              SELECT person_id, %s, '子女', %s, 0 FROM iot_terminal WHERE device_id = %s""",
                           [CONTACT, phone, home.device_id])
            phones[home.device_id] = phone
    return phones


def contacts_remove(db) -> None:
    """The bench contacts, their messages and the jobs of those."""
    with db.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE task_name = 'notify.deliver' AND (args->>'notification_id')"
                       "::bigint IN (SELECT id FROM notify_notification WHERE address LIKE %s)", [PHONE_PREFIX + "%"])
        cursor.execute("DELETE FROM notify_notification WHERE address LIKE %s", [PHONE_PREFIX + "%"])
        cursor.execute("DELETE FROM iot_emergencycontact WHERE name = %s", [CONTACT])


def bare_round_trips(smsc: SmscProcess, count: int) -> list[float]:
    """Milliseconds of ``count`` submit_sm round trips by a bare smpplib client (bound once)."""
    import socket

    import smpplib.client
    import smpplib.consts as c
    import smpplib.gsm

    client = smpplib.client.Client("127.0.0.1", smsc.port, timeout=15)
    client.connect()
    client._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as the platform's session
    client.bind_transmitter(system_id=smsc.system_id, password=smsc.password)
    parts, coding, esm_class = smpplib.gsm.make_parts("某某于12-06 10:00按下了紧急呼叫，平台正在处置。")
    times = []
    for n in range(count):
        started = time.perf_counter()
        client.send_message(source_addr_ton=c.SMPP_TON_UNK, source_addr_npi=c.SMPP_NPI_UNK, source_addr="10690000",
                            dest_addr_ton=c.SMPP_TON_INTL, dest_addr_npi=c.SMPP_NPI_ISDN,
                            destination_addr=f"861980000{n:04d}", short_message=parts[0], data_coding=coding,
                            esm_class=esm_class, registered_delivery=True)
        client.read_pdu()
        times.append((time.perf_counter() - started) * 1000)
    client.unbind()
    client.disconnect()
    return times


STAGES = (("written", "alert written (its transaction began)"),
          ("queued", "its SMS queued (the fan-out job)"),
          ("claimed", "claimed by the delivery job"),
          ("accepted", "accepted by the SMSC"))


def stages_read(published_at: dict[str, float], phones: dict[str, str], accepted: dict[str, float]):
    """Milliseconds from publish to each stage (STAGES) of each SOS that reached it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""SELECT t.device_id, extract(epoch FROM min(a.received_at)) FROM iot_alert a
                          JOIN iot_terminal t ON t.id = a.terminal_id
                          WHERE a.kind = 'sos' AND t.device_id = ANY(%s) GROUP BY t.device_id""", [list(published_at)])
        alerts = {device: float(written) for device, written in cursor.fetchall()}
        cursor.execute("""SELECT address, extract(epoch FROM created_at), extract(epoch FROM claimed_at)
                          FROM notify_notification WHERE address = ANY(%s)""", [list(phones.values())])
        messages = {address: (float(queued), claimed and float(claimed)) for address, queued, claimed in cursor}
    out: dict[str, list[float]] = {name: [] for name, _ in STAGES}
    for device, t0 in published_at.items():
        phone = phones[device]
        queued, claimed = messages.get(phone, (None, None))
        at = {"written": alerts.get(device), "queued": queued, "claimed": claimed,
              "accepted": accepted.get("86" + phone)}
        for name, _ in STAGES:
            if at[name] is not None:
                out[name].append((at[name] - t0) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sos_arguments(parser)
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between one SMS accepted and the next SOS")
    parser.add_argument("--sos-wait", type=float, default=30, help="longest wait for an SOS's SMS (default 30 s)")
    parser.add_argument("--keep", action="store_true", help="keep the bench contacts and their messages")
    args = parser.parse_args()

    db_url = use_bench_database()
    import paho.mqtt.client as mqtt
    from django.db import connection

    from iot.formats.encode import native

    sos_homes, background_homes, stream = sos_stream(connection, devices=DEVICES, sos=args.sos, rate=args.background)
    contacts_remove(connection)  # a run killed before its end
    phones = contacts_add(connection, sos_homes)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE status = 'todo' AND queue_name IN ('urgent', 'notify')")
    connection.close()

    sms_ms: list[float] = []
    delivery_ms: list[float] = []
    published_at: dict[str, float] = {}
    bare_ms: list[float] = []
    bg_rate, missed = 0.0, 0
    try:
        with Broker(private=True) as broker, SmscProcess() as smsc:
            ingester = IngesterProcess(db_url, broker.url, group="bench-sos-sms")
            env = {**os.environ, "DATABASE_URL": db_url, "SMPP_URL": smsc.url, "NOTIFY_QUIET_HOURS": "",
                   "DEBUG": "0"}
            worker_log = tempfile.TemporaryFile("w+")  # shown when an SMS does not come
            worker = subprocess.Popen(WORKER, cwd=ROOT, env=env, stdout=worker_log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
            go, stop, sent = mp.Event(), mp.Event(), mp.RawValue("q", 0)
            publisher = mp.Process(target=background_publisher, args=(stream.messages, broker.url, args.background,
                                                                         go, stop, sent), daemon=True)
            publisher.start()
            delivery = client = None
            try:
                delivery = Delivery(broker.url, [f"eldercare/{h.device_id}/up" for h in sos_homes])
                warm_up(connection, broker.url, stream.first_time, background_homes[0], [ingester])
                connection.close()
                client, config = paho_client(f"bench-sos-sms-{uuid.uuid4().hex[:8]}", broker.url, mqtt.MQTTv5)
                client.connect(config.host, config.port, keepalive=30)
                client.loop_start()
                go.set()
                time.sleep(5)  # the background stream reaches its rate
                bg_start, bg_sent = time.monotonic(), sent.value
                for n, home in enumerate(sos_homes, 1):
                    topic, payload = native(home.device_id, type="sos", time=time.time(), lat=home.lat,
                                            lon=home.lon, acc=8, batt=70)
                    published = published_at[home.device_id] = time.time()
                    client.publish(topic, payload, qos=1)
                    accepted = smsc.wait_for("86" + phones[home.device_id], timeout=args.sos_wait)
                    if accepted is None:
                        missed = n
                        say(f"  SOS {n}/{len(sos_homes)}: no SMS at the gateway after {args.sos_wait:g} s: stopping")
                        worker_log.seek(0)
                        say("  the worker's log, its end:\n" + "".join(worker_log.readlines()[-40:]))
                        break
                    sms_ms.append((accepted - published) * 1000)
                    if payload in delivery.arrived:
                        delivery_ms.append((delivery.arrived[payload] - published) * 1000)
                    say(f"  SOS {n}/{len(sos_homes)}: first SMS at the gateway after {sms_ms[-1]:.0f} ms")
                    time.sleep(args.gap)
                bg_rate = (sent.value - bg_sent) / (time.monotonic() - bg_start)
                stop.set()
                bare_ms = bare_round_trips(smsc, max(args.sos, 20))
                accepted_all = dict(smsc.accepted)
            finally:
                stop.set()
                go.set()
                mp_stop(publisher, timeout=10)
                if client:
                    client.disconnect()
                    client.loop_stop()
                if delivery:
                    delivery.stop()
                popen_stop(worker, timeout=20, group=True)
                ingester.stop()
                ingester.forget_session(broker.url)
        stages = stages_read(published_at, phones, accepted_all) if sms_ms else {}
    finally:
        if not args.keep:
            contacts_remove(connection)
        connection.close()
    if sms_ms:
        report(sms_ms=sms_ms, delivery_ms=delivery_ms, bare_ms=bare_ms, stages=stages, bg_rate=bg_rate).print()
    if missed:
        sys.exit(f"INCOMPLETE: SOS {missed} of {len(sos_homes)} got no SMS in time; the figures above are of the "
                 f"{len(sms_ms)} before it")


def report(*, sms_ms, delivery_ms, bare_ms, stages, bg_rate) -> Results:
    p50, p99 = timing.p50(sms_ms), timing.p99(sms_ms)
    results = Results()
    say(f"background positions published   {bg_rate:,.0f} msg/s")
    say(f"SOS → first SMS at the gateway ({len(sms_ms)} SOS)   p50 {p50:.0f} ms   p99 {p99:.0f} ms   "
        f"max {max(sms_ms):.0f} ms")
    say(f"bare submit_sm round trip        p50 {timing.p50(bare_ms):.2f} ms   p99 {timing.p99(bare_ms):.2f} ms")
    timing.stages_print(stages, STAGES, width=40)
    if delivery_ms:
        d50 = max(timing.p50(delivery_ms), 0.1)
        results.ratio("SOS → first SMS at the gateway, p50", p50, d50, unit="ms", against="MQTT delivery p50",
                      note=f"p99 {p99:.0f} ms; {len(sms_ms)} SOS under {bg_rate:,.0f} background positions/s")
    results.ratio("SOS → first SMS at the gateway, p50", p50, max(timing.p50(bare_ms), 0.01), unit="ms",
                  against="a bare submit_sm round trip p50", digits=2)
    results.figure("SOS → first SMS at the gateway, p99", p99, unit="ms", digits=0,
                   note=f"under {bg_rate:,.0f} background positions/s")
    return results


if __name__ == "__main__":
    main()
