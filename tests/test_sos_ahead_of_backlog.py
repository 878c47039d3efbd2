"""An SOS does not wait behind positions: while the ingester's batch of positions cannot be
written (its terminal's row held by another transaction, as a long batch would), an SOS
from another terminal is committed and reaches the dispatcher's live stream; the backlog
is written afterwards, nothing lost. Ordering is asserted, not time."""
from __future__ import annotations

import contextlib

import psycopg
from django.db import connection

from iot.formats import encode
from iot.models import Alert, Position
from tests.helpers import alert_event_next, alert_stream_open, at, mqtt_publish, wait_until

BACKLOG = 300


@contextlib.contextmanager
def row_held(terminal):
    """The terminal's row locked by another transaction until the block ends."""
    params = {k: v for k, v in connection.get_connection_params().items()
              if k in ("host", "port", "dbname", "user", "password")}
    with psycopg.connect(**params) as other:
        other.execute("SELECT 1 FROM iot_terminal WHERE id = %s FOR UPDATE", [terminal.pk])
        yield
        other.rollback()


def a_writer_waits_for_the_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock' AND query LIKE %s", ["%FROM iot_terminal%FOR UPDATE%"])
        return cursor.fetchone()[0] > 0


def test_an_sos_is_committed_and_streamed_while_the_backlog_of_positions_waits(world, elders, asgi_server,
                                                                                ingester):
    close, events = alert_stream_open(asgi_server, world.users["dispatcher"])
    walker, caller = elders.terminals["pA"], elders.terminals["pB"]
    try:
        with row_held(walker):
            lon, lat = elders.home("pA")
            mqtt_publish([encode.watch3g(walker.device_id, type="UD", time=at(i), lon=lon, lat=lat)
                          for i in range(BACKLOG)])
            wait_until(a_writer_waits_for_the_lock, what="the batch of positions to be held up")
            lon, lat = elders.home("pB")
            mqtt_publish([encode.native(caller.device_id, type="sos", time=at(BACKLOG + 1), lon=lon, lat=lat, acc=5)])

            event = alert_event_next(events, kind="sos", action="raised")
            # committed and streamed, with its row, while not one of the backlog's positions is written
            assert event["row"]["properties"]["device_id"] == caller.device_id
            assert Alert.objects.filter(terminal=caller, kind="sos").count() == 1
            assert Position.objects.filter(terminal=caller).count() == 1
            assert not Position.objects.filter(terminal=walker).exists()
            # the caller's next fix, after its SOS: an ordinary position again
            mqtt_publish([encode.native(caller.device_id, type="position", time=at(BACKLOG + 2), lon=lon, lat=lat,
                                        acc=5)])
        wait_until(lambda: Position.objects.filter(terminal=walker).count() == BACKLOG, what="the backlog")
        assert sorted(Position.objects.filter(terminal=walker).values_list("time", flat=True)) == [
            at(i) for i in range(BACKLOG)]
        wait_until(lambda: Position.objects.filter(terminal=caller).count() == 2, what="the caller's next fix")
        # in order: the fix after the SOS is the caller's latest, not a late one
        assert list(Position.objects.filter(terminal=caller).order_by("time").values_list("time", "flags")) == [
            (at(BACKLOG + 1), ""), (at(BACKLOG + 2), "")]
        caller.refresh_from_db()
        assert caller.last_fix_at == at(BACKLOG + 2)
    finally:
        close()
