"""Device credentials: the broker lets a terminal in with the password set in the registry,
lets it publish to its own topics only, and refuses wrong passwords."""
import queue
import uuid

import paho.mqtt.client as mqtt
import pytest
from django.conf import settings

from gis_core.mqtt import broker_config
from iot.broker import TERMINAL_PATTERNS, broker_credentials_write, password_hash
from iot.formats import encode
from tests.helpers import mqtt_listen, wait_until

pytestmark = pytest.mark.skipif(not settings.IOT_BROKER_DIR, reason="needs the embedded broker's files")


def device_connect(username: str, password: str) -> tuple[mqtt.Client | None, object]:
    config = broker_config()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"dev-{uuid.uuid4().hex[:8]}",
                         protocol=mqtt.MQTTv5)
    client.username_pw_set(username, password)
    result: queue.Queue = queue.Queue()
    client.on_connect = lambda c, u, f, rc, p: result.put(rc)
    client.connect(config.host, config.port)
    client.loop_start()
    reason = result.get(timeout=5)
    if reason.is_failure:
        client.loop_stop()
        return None, reason
    return client, reason


def test_password_hash_is_what_mosquitto_reads():
    first, second = password_hash("secret"), password_hash("secret")
    assert first.startswith("$7$101$") and first != second  # salted


def test_the_registry_becomes_the_brokers_password_and_acl_files(transactional_db, elders, broker):
    written = broker_credentials_write()
    assert written.terminals == 3 and written.reloaded
    passwd = (written.directory / "passwd").read_text().splitlines()
    assert {line.split(":")[0] for line in passwd} >= {"grid-app", "gateway", "860000000000001", "nat-b", "phone-f"}
    acl = (written.directory / "acl").read_text()
    assert all(f"pattern write {p}" in acl for p in TERMINAL_PATTERNS)


def test_a_device_publishes_to_its_own_topic_only(transactional_db, elders, broker):
    broker_credentials_write()
    sub, received = mqtt_listen(["eldercare/+/up", "watch/+/up"])
    device = None
    try:
        device = wait_until(lambda: device_connect("nat-b", elders.password)[0], what="the broker to reload")
        own_topic, payload = encode.native("nat-b", type="heartbeat", batt=50)
        other_topic, other = encode.native("other-device", type="sos")
        device.publish(other_topic, other, qos=1).wait_for_publish(5)
        device.publish("watch/860000000000001/up", b"[3G*860000000000001*0002*LK]", qos=1).wait_for_publish(5)
        device.publish(own_topic, payload, qos=1).wait_for_publish(5)
        assert received.get(timeout=5) == (own_topic, payload)  # and nothing before it
        with pytest.raises(queue.Empty):
            received.get(timeout=1)
    finally:
        if device:
            device.disconnect()
            device.loop_stop()
        sub.disconnect()
        sub.loop_stop()


def test_wrong_passwords_and_unknown_devices_are_refused(transactional_db, elders, broker):
    broker_credentials_write()
    good = wait_until(lambda: device_connect("nat-b", elders.password)[0], what="the broker to reload")
    good.disconnect()
    good.loop_stop()
    client, reason = device_connect("nat-b", "not-the-password")
    assert client is None and reason.getName() in ("Bad user name or password", "Not authorized")
    client, reason = device_connect("no-such-device", elders.password)
    assert client is None
