"""The project's broker: authenticated clients exchange messages, anonymous ones are refused."""
import queue
import uuid

import paho.mqtt.client as mqtt
import pytest
from django.conf import settings

from gis_core.mqtt import broker_config, connect, mqtt_client


def test_broker_config_parses_the_url():
    config = broker_config("mqtts://dev%40ice:p%3Ass@broker.example:8884")
    assert (config.host, config.port, config.username, config.password, config.tls) == (
        "broker.example", 8884, "dev@ice", "p:ss", True)
    assert broker_config("mqtt://localhost").port == 1883
    with pytest.raises(ValueError, match="mqtt://"):
        broker_config("http://localhost")


def test_an_authenticated_client_receives_what_another_publishes(broker):
    topic = f"test/{uuid.uuid4().hex}"
    received: queue.Queue = queue.Queue()
    subscriber = mqtt_client(f"sub-{uuid.uuid4().hex[:8]}")
    subscribed = queue.Queue()
    subscriber.on_message = lambda c, u, msg: received.put((msg.topic, msg.payload, msg.qos))
    subscriber.on_subscribe = lambda *args: subscribed.put(True)
    subscriber.on_connect = lambda c, u, f, rc, p: c.subscribe(topic, qos=1)
    connect(subscriber)
    subscriber.loop_start()
    try:
        subscribed.get(timeout=5)
        publisher = mqtt_client(f"pub-{uuid.uuid4().hex[:8]}")
        connect(publisher)
        publisher.loop_start()
        publisher.publish(topic, b'{"hello": 1}', qos=1).wait_for_publish(timeout=5)
        publisher.loop_stop()
        publisher.disconnect()
        assert received.get(timeout=5) == (topic, b'{"hello": 1}', 1)
    finally:
        subscriber.loop_stop()
        subscriber.disconnect()


def test_anonymous_clients_are_refused(broker):
    config = broker_config(settings.MQTT_URL)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="anon", protocol=mqtt.MQTTv5)
    result: queue.Queue = queue.Queue()
    client.on_connect = lambda c, u, f, rc, p: result.put(rc)
    client.connect(config.host, config.port)
    client.loop_start()
    try:
        reason = result.get(timeout=5)
        assert reason.is_failure and reason.getName() in ("Not authorized", "Bad user name or password")
    finally:
        client.loop_stop()
