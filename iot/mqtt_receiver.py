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

Messages are decoded on the network thread as they arrive; the main thread writes a
batch every ``batch_seconds`` or ``batch_size`` messages, and at once when one may carry
an SOS or a fall: that device's messages are then written ahead of any backlog.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

import paho.mqtt.client as mqtt
from django.db import InterfaceError, OperationalError, connection, transaction
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from gis_core.mqtt import connect, mqtt_client
from iot.alerting import alerts_raise_silent
from iot.batch_write import Message, message_decode, message_quarantine, messages_ingest

log = logging.getLogger("iot.mqtt_receiver")

TOPICS = ("eldercare/+/up", "watch/+/up", "owntracks/+/+", "owntracks/+/+/+")
SESSION_EXPIRY = 7 * 24 * 3600   # the broker keeps our queue for a week of downtime
RECEIVE_MAXIMUM = 65535          # unacknowledged messages the broker may send us (MQTT 5 maximum)
SILENCE_CHECK_SECONDS = 30
PARTITIONS_CHECK_SECONDS = 3600


class Ingester:
    def __init__(self, *, client_id: str, group: str = "ingest", url: str | None = None,
                 batch_size: int = 1000, batch_seconds: float = 0.05, session_expiry: int = SESSION_EXPIRY,
                 report: Callable[[str], None] | None = None, report_seconds: float = 10.0) -> None:
        self.client_id, self.group, self.url = client_id, group, url
        self.batch_size, self.batch_seconds, self.session_expiry = batch_size, batch_seconds, session_expiry
        self.report, self.report_seconds = report, report_seconds
        self.stopping = threading.Event()
        self.connected = threading.Event()
        self._pending: list[Message] = []
        self._urgent_devices: set[str] = set()  # devices with an SOS or a fall in _pending
        self._arrived = threading.Condition()
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
        with self._arrived:
            self._pending.append(message)
            if message.urgent:
                self._urgent_devices.add(message.device)
            if message.urgent or len(self._pending) >= self.batch_size:
                self._arrived.notify()
            elif len(self._pending) == 1:
                self._arrived.notify()

    # --- main thread --------------------------------------------------------------------

    def run(self) -> None:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.session_expiry
        properties.ReceiveMaximum = RECEIVE_MAXIMUM
        connect(self.client, clean_start=False, url=self.url, properties=properties)
        self.client.loop_start()
        clock = time.monotonic()
        silence_due, partitions_due, report_due = clock, clock, clock + self.report_seconds
        try:
            while not self.stopping.is_set():
                batch = self._take()
                if batch:
                    self._write(batch)
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
                self._write(batch)
        finally:
            self.client.disconnect()
            self.client.loop_stop()

    def stop(self) -> None:
        self.stopping.set()
        with self._arrived:
            self._arrived.notify()

    def summary(self) -> str:
        t = self.totals
        return (f"received {t['received']:,}  positions {t['stored']:,}  flagged {t['flagged']:,}  "
                f"late {t['late']:,}  duplicates {t['duplicate']:,}  quarantined {t['quarantined']:,}  "
                f"alerts {t['alerts']:,}")

    def _take(self) -> list[Message]:
        """The next batch: waits for a first message, then up to ``batch_seconds`` for more
        (not at all when one may be an SOS or a fall, or the batch is full)."""
        with self._arrived:
            if not self._pending:
                self._arrived.wait(timeout=1.0)
            if self._pending and not self._urgent_devices and len(self._pending) < self.batch_size:
                self._arrived.wait(timeout=self.batch_seconds)
            return self._drain_locked()

    def _drain(self) -> list[Message]:
        with self._arrived:
            return self._drain_locked()

    def _drain_locked(self) -> list[Message]:
        """The next batch. When an SOS or a fall is waiting, only the messages of the
        devices that sent one (all of them, in order), so it jumps any backlog of
        positions; else at most ``batch_size`` messages, in arrival order. Each device's
        messages stay in order either way: the batch takes a prefix of each."""
        if self._urgent_devices:
            urgent = self._urgent_devices
            batch = [m for m in self._pending if m.device in urgent]
            self._pending = [m for m in self._pending if m.device not in urgent]
            self._urgent_devices = set()
        else:
            batch, self._pending = self._pending[:self.batch_size], self._pending[self.batch_size:]
        return batch

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
        if result is not None:
            for (_, outcome), n in result.outcomes.items():
                self.totals[outcome] += n
            self.totals["alerts"] += len(result.alerts)
        self.totals["received"] += len(batch)
        for message in batch:
            if message.mid:
                self.client.ack(message.mid, 1)

    def _write_alone(self, message: Message) -> None:
        try:
            self._database(lambda: messages_ingest([message]))
        except _Unavailable:
            raise
        except Exception as exc:
            log.warning("quarantining a message from %s: %s", message.topic, exc)
            reason = f"not ingested: {type(exc).__name__}: {exc}"
            self._database(lambda: message_quarantine(message, reason))
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


def _partitions_ensure() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT iot_position_partitions_ensure()")
