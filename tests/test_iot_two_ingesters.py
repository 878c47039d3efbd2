"""Two ingester processes on one shared subscription split the stream; one killed with
SIGKILL mid-stream and restarted by its supervisor (systemd's Restart=always) leaves every
published fix in the database exactly once."""
import threading
import uuid

from iot.models import Position
from tests.helpers import IngesterProcess, at, mqtt_publish, wait_until
from tests.test_iot_crash_recovery import stored_times, stream


def test_two_ingesters_one_killed_mid_stream_lose_and_double_nothing(transactional_db, elders, broker):
    total, group = 6000, f"test{uuid.uuid4().hex[:8]}"
    one, two = IngesterProcess(group=group).start(), IngesterProcess(group=group).start()
    try:
        publisher = threading.Thread(target=mqtt_publish, args=(stream(elders, total),))
        publisher.start()
        wait_until(lambda: Position.objects.count() >= 500, what="the stream to start landing")
        one.kill()
        killed_at = Position.objects.count()
        assert killed_at < total, "killed too late to prove anything"
        publisher.join()
        one.start()  # restarted with its client id: the broker hands back its session
        wait_until(lambda: Position.objects.count() >= total, timeout=90, what=f"{total} fixes")
        assert stored_times() == [at(i) for i in range(total)]
        assert any("subscribed to" in line for line in two.output)
    finally:
        one.stop()
        two.stop()
