"""gis_core.mqtt.acks_send acknowledges a batch of QoS 1 messages in one write, and the
broker takes them as acknowledged: in a persistent session, what was acknowledged is not
delivered again after a reconnect, and what was not is (the ingester's guarantee: a
message unacknowledged at a crash comes again)."""
import threading
import uuid

from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from gis_core.mqtt import acks_send, connect, mqtt_client, session_end
from iot.mqtt_receiver import RECEIVE_MAXIMUM
from tests.helpers import mqtt_publish, wait_until


def _session(client_id: str, topic: str, received: list, subscribed: threading.Event):
    client = mqtt_client(client_id, manual_ack=True)
    client.on_connect = lambda c, *a: c.subscribe([(topic, SubscribeOptions(qos=1))])
    client.on_subscribe = lambda *a: subscribed.set()
    client.on_message = lambda c, u, msg: received.append((msg.payload, msg.mid))
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = 60
    properties.ReceiveMaximum = RECEIVE_MAXIMUM  # as the ingester: all 40 unacknowledged at once
    connect(client, clean_start=False, properties=properties)
    client.loop_start()
    return client


def test_messages_acknowledged_together_are_not_delivered_again(broker):
    client_id, topic = f"test-acks-{uuid.uuid4().hex[:8]}", f"test/acks/{uuid.uuid4().hex[:8]}"
    received: list = []
    subscribed = threading.Event()
    client = _session(client_id, topic, received, subscribed)
    try:
        assert subscribed.wait(10)
        mqtt_publish([(topic, f"m{i}".encode()) for i in range(40)])
        wait_until(lambda: len(received) >= 40, what="40 messages")
        acks_send(client, [mid for payload, mid in received[:30]])
        # The broker reads a connection's packets in order: once it answers a later
        # SUBSCRIBE it has taken the acknowledgements. (Without this, a DISCONNECT right
        # behind them could close the socket before the broker had read them all; it
        # then redelivered 28 of the 30 in one run.)
        subscribed.clear()
        client.subscribe([(topic + "/after-acks", SubscribeOptions(qos=0))])
        assert subscribed.wait(10)
    finally:
        client.disconnect()
        client.loop_stop()

    again: list = []
    subscribed.clear()
    client = _session(client_id, topic, again, subscribed)
    try:
        wait_until(lambda: len(again) >= 10, what="the 10 unacknowledged messages again")
        acks_send(client, [mid for payload, mid in again])
        threading.Event().wait(1.0)  # anything else the broker would redeliver has come by now
        assert sorted(payload for payload, _ in again) == sorted(f"m{i}".encode() for i in range(30, 40))
    finally:
        client.disconnect()
        client.loop_stop()
        session_end(client_id)
