"""How the ingester cuts what it received into batches: at most ``batch_size`` in arrival
order, and an SOS or a fall at once, with its device's messages only (in order), ahead of
any backlog of positions."""
import datetime as dt
from types import SimpleNamespace

from iot.formats import encode
from iot.mqtt_receiver import Ingester

T0 = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)


def received(ingester: Ingester, device: str, kind: str, minute: int, mid: int) -> None:
    topic, payload = encode.native(device, type=kind, lon=102.7, lat=25.04, time=T0 + dt.timedelta(minutes=minute))
    ingester._on_message(None, None, SimpleNamespace(topic=topic, payload=payload, mid=mid, qos=1))


def taken(batch) -> list[tuple[str, int]]:
    return [(m.device, m.mid) for m in batch]


def test_batches_are_cut_at_batch_size_in_arrival_order():
    ingester = Ingester(client_id="batches-test", batch_size=3, batch_seconds=0)
    for mid in range(1, 6):
        received(ingester, f"d{mid % 2}", "position", mid, mid)
    assert taken(ingester._take()) == [("d1", 1), ("d0", 2), ("d1", 3)]
    assert taken(ingester._take()) == [("d0", 4), ("d1", 5)]
    assert ingester._take() == []


def test_an_sos_jumps_the_backlog_with_its_devices_messages_in_order():
    ingester = Ingester(client_id="batches-test", batch_size=1000, batch_seconds=0.1)
    for mid in range(1, 7):
        received(ingester, "walker" if mid in (2, 5) else f"other{mid}", "position", mid, mid)
    received(ingester, "walker", "sos", 7, 7)
    received(ingester, "other8", "position", 8, 8)
    # no waiting for the batch to fill: the SOS and the walker's earlier fixes, in order
    assert taken(ingester._take()) == [("walker", 2), ("walker", 5), ("walker", 7)]
    assert taken(ingester._take()) == [("other1", 1), ("other3", 3), ("other4", 4), ("other6", 6), ("other8", 8)]
