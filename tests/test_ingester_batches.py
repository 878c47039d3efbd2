"""How the ingester cuts what it received into batches: at most ``batch_size`` in arrival
order; an SOS or a fall goes to the urgent lane, with its device's messages (in order),
never behind the backlog of positions — and after the batch being written when that holds
an earlier message of its device."""
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


def test_an_sos_takes_the_urgent_lane_with_its_devices_messages_in_order():
    ingester = Ingester(client_id="batches-test", batch_size=1000, batch_seconds=0.1)
    for mid in range(1, 7):
        received(ingester, "walker" if mid in (2, 5) else f"other{mid}", "position", mid, mid)
    received(ingester, "walker", "sos", 7, 7)
    received(ingester, "walker", "position", 8, 8)  # while its SOS is not yet written: after it
    received(ingester, "other8", "position", 9, 9)
    assert taken(ingester._take_urgent(timeout=0)) == [("walker", 2), ("walker", 5), ("walker", 7), ("walker", 8)]
    received(ingester, "walker", "position", 10, 10)  # still not committed: the urgent lane again
    assert taken(ingester._take_urgent(timeout=0)) == [("walker", 10)]
    ingester._urgent_done([])
    assert taken(ingester._take()) == [("other1", 1), ("other3", 3), ("other4", 4), ("other6", 6), ("other8", 9)]


def test_once_written_a_devices_next_messages_take_the_batch_lane_again():
    ingester = Ingester(client_id="batches-test", batch_size=1000, batch_seconds=0)
    received(ingester, "walker", "sos", 1, 1)
    batch = ingester._take_urgent(timeout=0)
    ingester._urgent_done(batch)
    received(ingester, "walker", "position", 2, 2)
    assert ingester._take_urgent(timeout=0) == []
    assert taken(ingester._take()) == [("walker", 2)]


def test_the_urgent_lane_waits_for_a_batch_holding_an_earlier_message_of_its_device():
    ingester = Ingester(client_id="batches-test", batch_size=1000, batch_seconds=0)
    received(ingester, "walker", "position", 1, 1)
    received(ingester, "other", "position", 2, 2)
    batch = ingester._take()  # the main thread is writing the walker's fix …
    received(ingester, "walker", "sos", 3, 3)
    received(ingester, "stranger", "fall", 4, 4)
    assert taken(ingester._take_urgent(timeout=0)) == [("stranger", 4)]  # … so its SOS waits for that batch
    assert ingester._take_urgent(timeout=0) == []
    ingester._batch_done()
    assert taken(ingester._take_urgent(timeout=0)) == [("walker", 3)]
    assert taken(batch) == [("walker", 1), ("other", 2)]
