"""The broker of a benchmark run: a private Mosquitto started for it with the embedded
broker's configuration (devstack.embedded writes both: same binary, persistence, autosave
and queue limit, same users and ACL; its own port and directory), so that other people's
ingesters and tests on the embedded broker neither receive the benchmark's stream nor add
to it. Or, when asked, the embedded broker itself (shared with whoever else uses it)."""
from __future__ import annotations

import shutil
import sys
import tempfile
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
