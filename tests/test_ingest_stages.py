"""``messages_ingest(…, on_stage=…)`` reports each step of writing a batch with its wall
time, in order, ending with the commit (bench/ingest.py --stages uses it)."""
import datetime as dt

from iot.batch_write import message_decode, messages_ingest
from iot.formats import encode
from iot.models import Position


def test_each_step_of_a_batch_is_reported_with_its_time(elders):
    terminal = elders.terminals["pB"]
    lon, lat = elders.home("pB")
    when = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=5)
    steps: list[tuple[str, float]] = []

    messages_ingest([message_decode(*encode.native(terminal.device_id, type="position", time=when, lon=lon,
                                                   lat=lat))],
                    on_stage=lambda name, seconds: steps.append((name, seconds)))

    names = [name for name, _ in steps]
    assert names[0] == "terminals_lock" and names[-1] == "commit"
    assert {"positions_insert", "terminals_update", "alerts_notify"} <= set(names)
    assert len(names) == len(set(names)) and all(seconds >= 0 for _, seconds in steps)
    assert Position.objects.filter(terminal=terminal, time=when).exists()
