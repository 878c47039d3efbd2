"""The MQTT ingester: receive terminals' messages, write them in batches, then acknowledge.

Guarantees, and how:

- *An acknowledged message is committed.* The client acknowledges QoS 1 messages by
  hand (``manual_ack``), only after the batch holding them has committed.
- *A crash or restart loses nothing.* The session is persistent (fixed client id,
  ``clean_start=False``, a session expiry): what was not acknowledged is redelivered
  to the restarted ingester, and messages published meanwhile are queued by the broker.
  Redelivered fixes are stored once (iot/batch_write.py).
- *Nothing stops it.* A message that cannot be decoded, or that the database refuses,
  goes to quarantine with the reason; while the database is unreachable the batch is
  retried and nothing is acknowledged.
- *Several ingesters split the load* through a shared subscription (``$share/<group>/…``).
  Mosquitto 2.0.11 (Debian 12) does not restore shared subscriptions from its
  persistence file: after a broker restart, what devices publish before the ingesters
  have reconnected (about a second) has no subscriber. A single ingester with an empty
  group subscribes plainly, and the broker restores that subscription with the session.

Two lanes, so that an SOS or a fall never waits behind positions:

- Messages are decoded on the network thread as they arrive (decoding tells whether one
  may carry an SOS or a fall: it is cheap, and the format is needed to know).
- Positions and the like go to the *batch lane*: the main thread writes a batch every
  ``batch_seconds`` or ``batch_size`` messages.
- An SOS or a fall goes to the *urgent lane*: a writer thread that does nothing else, with
  its own database connection, commits it alone at once (what else is in the lane then,
  in one transaction) and acknowledges it after the commit. It does not wait for the
  batch in progress, nor for the backlog.
- Each device's messages are written in arrival order all the same: the device's messages
  still waiting in the batch lane move to the urgent lane before its SOS, its messages
  arriving while the SOS is not yet committed follow it there, and when the batch being
  written holds an earlier message of the device, the urgent writer waits for that batch
  (only then: the terminal's row lock would make it wait anyway).

Why not a second MQTT client on the same topics: it would receive (and decode) every
position a second time to find the few alarms; the ingester's network thread keeps up
with the stream (the benchmark's "received" stage), the wait was in the batch.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, connections, transaction
from django.utils import translation
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from gis_core.mqtt import acks_send, connect, mqtt_client
from iot.alerting import alerts_raise_silent
from iot.batch_write import Message, message_decode, message_quarantine, messages_ingest
from iot.models import AlertKind
from iot.retention import positions_partitions_ensure

log = logging.getLogger("iot.mqtt_receiver")

TOPICS = ("eldercare/+/up", "watch/+/up", "owntracks/+/+", "owntracks/+/+/+")
SESSION_EXPIRY = 7 * 24 * 3600   # the broker keeps our queue for a week of downtime
RECEIVE_MAXIMUM = 65535          # unacknowledged messages the broker may send us (MQTT 5 maximum)
BATCH_SIZE = 1000                # most messages per transaction
BATCH_SECONDS = 0.05             # longest wait to fill a batch
SILENCE_CHECK_SECONDS = 30
PARTITIONS_CHECK_SECONDS = 3600


class Ingester:
    def __init__(self, *, client_id: str, group: str = "ingest", url: str | None = None,
                 batch_size: int = BATCH_SIZE, batch_seconds: float = BATCH_SECONDS,
                 session_expiry: int = SESSION_EXPIRY,
                 report: Callable[[str], None] | None = None, report_seconds: float = 10.0) -> None:
        self.client_id, self.group, self.url = client_id, group, url
        self.batch_size, self.batch_seconds, self.session_expiry = batch_size, batch_seconds, session_expiry
        self.report, self.report_seconds = report, report_seconds
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)         # the batch lane has messages
        self._urgent_arrived = threading.Condition(self._lock)  # the urgent lane has messages, or a batch ended
        self._pending: list[Message] = []         # the batch lane
        self._urgent: list[Message] = []          # the urgent lane
        self._urgent_devices: set[str] = set()    # devices with messages in the urgent lane or being written by it
        self._batch_devices: set[str] = set()     # devices of the batch the main thread is writing
        self._urgent_writer = threading.Thread(target=self._urgent_run, name="ingester-urgent", daemon=True)
        self._totals_lock = threading.Lock()
        self.totals: Counter = Counter()
        self.client = mqtt_client(client_id, url=url, manual_ack=True)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: log.info("subscribed to %s", ", ".join(TOPICS))
        self.client.reconnect_delay_set(min_delay=1, max_delay=10)

    # --- network thread -----------------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason, properties) -> None:
        if reason.is_failure:
            log.error("broker refused the ingester: %s", reason)
            return
        options = SubscribeOptions(qos=1)
        share = f"$share/{self.group}/" if self.group else ""
        client.subscribe([(share + topic, options) for topic in TOPICS])
        self.connected.set()
        log.info("connected (session present: %s)", flags.session_present)

    def _on_disconnect(self, client, userdata, flags, reason, properties) -> None:
        self.connected.clear()
        if not self.stopping.is_set():
            log.warning("disconnected from the broker (%s); reconnecting", reason)

    def _on_message(self, client, userdata, msg: mqtt.MQTTMessage) -> None:
        message = message_decode(msg.topic, msg.payload, mid=msg.mid if msg.qos else 0)
        device = message.device
        with self._lock:
            if message.urgent or device in self._urgent_devices:
                if device not in self._urgent_devices:
                    # its earlier messages still waiting in the batch lane go first, with it
                    if any(m.device == device for m in self._pending):
                        self._urgent += [m for m in self._pending if m.device == device]
                        self._pending = [m for m in self._pending if m.device != device]
                    self._urgent_devices.add(device)
                self._urgent.append(message)
                self._urgent_arrived.notify()
                return
            self._pending.append(message)
            if len(self._pending) >= self.batch_size or len(self._pending) == 1:
                self._arrived.notify()

    # --- main thread --------------------------------------------------------------------

    def run(self) -> None:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.session_expiry
        properties.ReceiveMaximum = RECEIVE_MAXIMUM
        self._urgent_writer.start()
        connect(self.client, clean_start=False, url=self.url, properties=properties)
        self.client.loop_start()
        clock = time.monotonic()
        silence_due, partitions_due, report_due = clock, clock, clock + self.report_seconds
        try:
            while not self.stopping.is_set():
                batch = self._take()
                if batch:
                    self._write_batch(batch)
                now = time.monotonic()
                if now >= silence_due:
                    silence_due = now + SILENCE_CHECK_SECONDS
                    self._database(lambda: transaction.atomic()(alerts_raise_silent)())
                if now >= partitions_due:
                    partitions_due = now + PARTITIONS_CHECK_SECONDS
                    self._database(_partitions_ensure)
                if self.report and now >= report_due:
                    report_due = now + self.report_seconds
                    self.report(self.summary())
            while batch := self._drain():
                self._write_batch(batch)
        finally:
            self.stopping.set()
            with self._lock:
                self._urgent_arrived.notify()
            self._urgent_writer.join(60)
            self.client.disconnect()
            self.client.loop_stop()

    def stop(self) -> None:
        self.stopping.set()
        with self._lock:
            self._arrived.notify()
            self._urgent_arrived.notify()

    def summary(self) -> str:
        t = self.totals
        return (f"received {t['received']:,}  positions {t['stored']:,}  flagged {t['flagged']:,}  "
                f"late {t['late']:,}  duplicates {t['duplicate']:,}  quarantined {t['quarantined']:,}  "
                f"alerts {t['alerts']:,}")

    def _take(self) -> list[Message]:
        """The next batch of the batch lane: waits for a first message, then up to
        ``batch_seconds`` for more (not at all when the batch is full)."""
        with self._lock:
            if not self._pending:
                self._arrived.wait(timeout=1.0)
            if self._pending and len(self._pending) < self.batch_size:
                self._arrived.wait(timeout=self.batch_seconds)
            return self._drain_locked()

    def _drain(self) -> list[Message]:
        with self._lock:
            return self._drain_locked()

    def _drain_locked(self) -> list[Message]:
        """At most ``batch_size`` messages, in arrival order; their devices are noted as
        being written until ``_write_batch`` ends."""
        batch, self._pending = self._pending[:self.batch_size], self._pending[self.batch_size:]
        self._batch_devices = {m.device for m in batch}
        return batch

    def _write_batch(self, batch: list[Message]) -> None:
        try:
            self._write(batch)
        finally:
            self._batch_done()

    def _batch_done(self) -> None:
        with self._lock:
            self._batch_devices = set()
            self._urgent_arrived.notify()

    # --- urgent writer thread -------------------------------------------------------------

    def _take_urgent(self, *, timeout: float = 1.0) -> list[Message]:
        """The urgent lane's messages (waiting up to ``timeout`` for one), but those of a
        device that has an earlier message in the batch being written: they wait for it."""
        with self._lock:
            if not any(m.device not in self._batch_devices for m in self._urgent):
                self._urgent_arrived.wait(timeout=timeout)
            ready = [m for m in self._urgent if m.device not in self._batch_devices]
            if len(ready) < len(self._urgent):
                self._urgent = [m for m in self._urgent if m.device in self._batch_devices]
            else:
                self._urgent = []
            return ready

    def _urgent_done(self, batch: list[Message]) -> None:
        """Its devices' next messages may take the batch lane again (unless more of theirs
        came into the urgent lane meanwhile)."""
        with self._lock:
            self._urgent_devices -= {m.device for m in batch} - {m.device for m in self._urgent}

    def _urgent_run(self) -> None:
        try:
            try:
                self._database(_warm_up)  # and this thread's connection opened
            except _Unavailable:
                pass
            except Exception:  # noqa: BLE001 — only a warm-up: the first SOS pays for it then
                log.exception("warming up the urgent writer failed")
            while not (self.stopping.is_set() and not self._urgent):
                batch = self._take_urgent()
                if not batch:
                    continue
                try:
                    self._write(batch)
                except Exception:  # noqa: BLE001 — the lane must go on; unacknowledged, they come again
                    log.exception("writing %d urgent message(s) failed", len(batch))
                finally:
                    self._urgent_done(batch)
        finally:
            connections.close_all()  # this thread's own connection

    def _write(self, batch: list[Message]) -> None:
        """Commit the batch, then acknowledge it. The database being away is waited out
        (nothing acknowledged meanwhile); anything else it refuses is retried message by
        message, and a message it still refuses is quarantined with the error."""
        try:
            result = self._database(lambda: messages_ingest(batch))
        except _Unavailable:
            return  # stopping while the database is away: the broker redelivers
        except Exception:
            log.exception("batch of %d refused; writing its messages one by one", len(batch))
            result = None
            for message in batch:
                self._write_alone(message)
        with self._totals_lock:
            if result is not None:
                for (_, outcome), n in result.outcomes.items():
                    self.totals[outcome] += n
                self.totals["alerts"] += len(result.alerts)
            self.totals["received"] += len(batch)
        acks_send(self.client, [message.mid for message in batch if message.mid])

    def _write_alone(self, message: Message) -> None:
        try:
            self._database(lambda: messages_ingest([message]))
        except _Unavailable:
            raise
        except Exception as exc:
            log.warning("quarantining a message from %s: %s", message.topic, exc)
            reason = f"not ingested: {type(exc).__name__}: {exc}"
            self._database(lambda: message_quarantine(message, reason))
            with self._totals_lock:
                self.totals["quarantined"] += 1

    def _database(self, work: Callable):
        """Run ``work``, waiting out a lost database connection (unless stopping)."""
        delay = 0.5
        while True:
            try:
                return work()
            except (OperationalError, InterfaceError) as exc:
                if not _connection_lost(exc):
                    raise
                log.warning("database unavailable (%s); retrying in %.1f s", exc, delay)
                connection.close()
                if self.stopping.wait(delay):
                    raise _Unavailable from exc
                delay = min(delay * 2, 10)


class _Unavailable(Exception):
    """The database stayed away until the ingester was asked to stop."""


def _connection_lost(exc: Exception) -> bool:
    return connection.connection is None or connection.connection.closed or "connection" in str(exc).lower()


def _warm_up() -> None:
    """What the first alert announcement would load (the list's serializer, the site's
    translations) and the urgent writer's connection, ready before the first SOS (which
    would pay ~150 ms for them)."""
    from iot.serializers import alert_rows

    with translation.override(settings.LANGUAGE_CODE):
        str(AlertKind.SOS.label)
    alert_rows([])


def _partitions_ensure() -> None:
    positions_partitions_ensure()
