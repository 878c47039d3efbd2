"""MQTT connection settings from MQTT_URL (mqtt://user:password@host:port, or mqtts://)."""
from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from paho.mqtt.properties import Properties


@dataclass(frozen=True)
class BrokerConfig:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool


def broker_config(url: str | None = None) -> BrokerConfig:
    parsed = urlparse(url or settings.MQTT_URL)
    if parsed.scheme not in ("mqtt", "mqtts"):
        raise ValueError(f"MQTT_URL must start with mqtt:// or mqtts://, got {parsed.scheme}://")
    tls = parsed.scheme == "mqtts"
    return BrokerConfig(
        host=parsed.hostname or "localhost", port=parsed.port or (8883 if tls else 1883),
        username=unquote(parsed.username) if parsed.username else None,
        password=unquote(parsed.password) if parsed.password else None, tls=tls,
    )


def mqtt_client(client_id: str, *, url: str | None = None, manual_ack: bool = False) -> mqtt.Client:
    """An MQTT 5 client with the broker's credentials (not yet connected). ``manual_ack``:
    the caller acknowledges each QoS 1 message itself (``client.ack``), once it is safe."""
    config = broker_config(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5,
                         manual_ack=manual_ack)
    if config.username:
        client.username_pw_set(config.username, config.password)
    if config.tls:
        client.tls_set()
    return client


_PUBACK = struct.Struct("!BBH")  # PUBACK, remaining length 2, packet id: success (MQTT 3.1.1 and 5)


def acks_send(client: mqtt.Client, mids: Sequence[int]) -> None:
    """Acknowledge the QoS 1 messages ``mids`` (a client with ``manual_ack``) in one write.
    paho's ``ack`` queues one packet and wakes its network thread for each message — two
    system calls and a loop turn a message; these are the same PUBACK bytes, queued as
    one packet. Lost with the connection like paho's own (the broker then redelivers)."""
    if not mids:
        return
    queue = getattr(client, "_packet_queue", None)
    if queue is None:  # a paho without it (pinned 2.2.0 has it): one by one
        for mid in mids:
            client.ack(mid, 1)
        return
    queue(mqtt.PUBACK, b"".join([_PUBACK.pack(mqtt.PUBACK, 2, mid) for mid in mids]), 0, 0)


def connect(client: mqtt.Client, *, clean_start: bool = True, url: str | None = None, keepalive: int = 30,
            properties: Properties | None = None) -> None:
    config = broker_config(url)
    client.connect(config.host, config.port, keepalive=keepalive, clean_start=clean_start, properties=properties)


def session_end(client_id: str, *, url: str | None = None) -> None:
    """End the persistent session the broker keeps for ``client_id`` (a stopped
    ingester's): connect with a clean start and no session expiry, then disconnect. Its
    queue and subscriptions go at once instead of when the session would expire."""
    import threading

    from paho.mqtt.packettypes import PacketTypes

    client = mqtt_client(client_id, url=url)
    connected = threading.Event()
    client.on_connect = lambda *args: connected.set()
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 0
    connect(client, clean_start=True, url=url, keepalive=10, properties=properties)
    client.loop_start()
    try:
        connected.wait(10)
    finally:
        client.disconnect()
        client.loop_stop()
