"""The broker of a benchmark run: a private Mosquitto started for it with the embedded
broker's configuration (devstack.embedded writes both: same binary, persistence, autosave
and queue limit, same users and ACL; its own port and directory), so that other people's
ingesters and tests on the embedded broker neither receive the benchmark's stream nor add
to it. Or, when asked, the embedded broker itself (shared with whoever else uses it)."""
from __future__ import annotations

import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Self

from devstack import embedded


def paho_client(client_id: str, url: str, protocol):
    """A paho client (``protocol``: mqtt.MQTTv5 or MQTTv311) with the credentials of
    ``url``, not yet connected; and the broker's address (``BrokerConfig``)."""
    import paho.mqtt.client as mqtt

    from gis_core.mqtt import broker_config

    config = broker_config(url)
    paho = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=protocol)
    if config.username:
        paho.username_pw_set(config.username, config.password)
    if config.tls:
        paho.tls_set()
    return paho, config


class Broker:
    """``url`` (the app user's), ``pid``; ``stop()`` ends a private broker and removes its
    directory (a context manager does so too)."""

    def __init__(self, *, private: bool) -> None:
        from django.conf import settings

        self.home: Path | None = None
        if not private:
            self.url = settings.MQTT_URL
            self.pid = embedded.pid_read(Path(settings.IOT_BROKER_DIR or embedded.VAR / "mosquitto") / "mosquitto.pid")
            return
        source = Path(embedded.load_state().get("mqtt_dir") or settings.IOT_BROKER_DIR)
        self.home = Path(tempfile.mkdtemp(prefix="bench-mosquitto-"))
        passwd, acl = self.home / "passwd", self.home / "acl"
        shutil.copyfile(source / "passwd.base", passwd)
        shutil.copyfile(source / "acl.base", acl)
        if embedded.IS_ROOT:
            for path in (self.home, passwd, acl):
                shutil.chown(path, embedded.SERVICE_USER, embedded.SERVICE_USER)
        port = embedded.free_port()
        embedded.mqtt_config_write(self.home, port=port, passwd=passwd, acl=acl)
        self.pid = embedded.mqtt_start(self.home, port, timeout=10)
        if not self.pid:
            log = self.log()
            self.pid = embedded.pid_read(self.home / "mosquitto.pid")
            self.stop()
            sys.exit("the private Mosquitto did not start:\n" + "\n".join(log[-10:]))
        self.url = settings.MQTT_URL.rsplit(":", 1)[0] + f":{port}"

    def log(self) -> list[str]:
        try:
            return (self.home / "mosquitto.log").read_text().splitlines() if self.home else []
        except OSError:
            return []

    def dropped(self) -> list[str]:
        """The broker's complaints about dropped messages (private broker only)."""
        return [line for line in self.log() if "dropped" in line]

    def stop(self) -> None:
        if not self.home:
            return
        if self.pid:
            embedded.pid_stop(self.pid, timeout=10)
        shutil.rmtree(self.home, ignore_errors=True)
        self.home = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def background_publisher(messages: list[tuple[str, bytes]], url: str, rate: int, go, stop, sent) -> None:
    """From ``go`` on, publish ``messages`` round and round at ``rate`` per second (QoS 1)
    until ``stop``."""
    import paho.mqtt.client as mqtt

    client, config = paho_client(f"bench-bg-{uuid.uuid4().hex[:8]}", url, mqtt.MQTTv311)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(config.host, config.port, keepalive=30)
    client.loop_start()
    go.wait(3600)
    tick, per_tick = 0.01, max(1, rate // 100)
    started, n = time.monotonic(), 0
    while not stop.is_set():
        for _ in range(per_tick):
            client.publish(*messages[n % len(messages)], qos=1)
            n += 1
        sent.value = n
        pause = started + n / rate - time.monotonic()
        if pause > 0:
            time.sleep(min(pause, tick))
    client.disconnect()
    client.loop_stop()


class Delivery:
    """A plain subscriber to the SOS devices' topics: MQTT delivery time, the baseline."""

    def __init__(self, url: str, topics: list[str]) -> None:
        import paho.mqtt.client as mqtt

        self.arrived: dict[bytes, float] = {}
        subscribed = threading.Event()
        self.client, config = paho_client(f"bench-sos-sub-{uuid.uuid4().hex[:8]}", url, mqtt.MQTTv5)
        self.client.on_message = lambda c, u, m: self.arrived.setdefault(m.payload, time.time())
        self.client.on_subscribe = lambda *a: subscribed.set()
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe([(t, 1) for t in topics])
        self.client.connect(config.host, config.port, keepalive=30)
        self.client.loop_start()
        subscribed.wait(10)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
