"""Messages through the real broker and a running ingester land as the right rows: each
format, duplicates, fixes out of order, fixes that cannot be drawn, and quarantine."""
import datetime as dt

from django.db import connection

from iot.formats import encode
from iot.formats.base import SOS
from iot.models import IngestCount, Position, QuarantinedMessage, Terminal
from tests.helpers import at, east_of, mqtt_publish, wait_until


def positions(terminal: Terminal) -> list[Position]:
    return list(Position.objects.filter(terminal=terminal).order_by("time"))


def wait_positions(terminal: Terminal, n: int) -> list[Position]:
    return wait_until(lambda: len(rows := positions(terminal)) >= n and rows, what=f"{n} positions of {terminal}")


def test_each_format_is_stored_with_its_cell_and_zone(ingester, elders, world):
    watch, native, phone = (elders.terminals[k] for k in ("pA", "pB", "pF"))
    home_a, home_b, home_f = (elders.home(k) for k in ("pA", "pB", "pF"))
    far_f = east_of(home_f, 1000)
    mqtt_publish([
        encode.watch3g(watch.device_id, type="UD", time=at(1), lon=home_a[0], lat=home_a[1], battery=77, signal=60),
        encode.native(native.device_id, type="position", time=at(2), lon=home_b[0], lat=home_b[1], acc=8, batt=81),
        encode.owntracks_location("elder", phone.device_id, time=at(3), lon=far_f[0], lat=far_f[1], acc=15, batt=55),
    ])
    [a] = wait_positions(watch, 1)
    [b] = wait_positions(native, 1)
    [f] = wait_positions(phone, 1)

    assert (a.format, a.time, a.battery, a.zone, a.area_id, a.drawable, a.flags) == (
        "watch3g", at(1), 77, "inside", world.areas["A"].id, True, "")
    assert (b.format, b.accuracy_m, b.zone, b.area_id) == ("native", 8, "inside", world.areas["B"].id)
    assert (f.format, f.zone, f.area_id) == ("owntracks", "outside", world.areas["F"].id)
    assert abs(a.geom.x - home_a[0]) < 1e-6 and abs(a.geom.y - home_a[1]) < 1e-6
    watch.refresh_from_db()
    assert (watch.last_fix_at, watch.battery, watch.signal) == (at(1), 77, 60)
    assert watch.last_position.equals_exact(a.geom, 1e-9)


def test_a_repeated_message_is_stored_once(ingester, elders):
    native = elders.terminals["pB"]
    lon, lat = elders.home("pB")
    message = encode.native(native.device_id, type="position", time=at(5), lon=lon, lat=lat)
    mqtt_publish([message, message, message])
    wait_until(lambda: IngestCount.objects.filter(format="native", outcome="duplicate", count=2).exists(),
               what="two duplicates counted")
    assert [p.time for p in positions(native)] == [at(5)]


def test_an_older_fix_is_stored_but_does_not_become_the_latest(ingester, elders):
    native = elders.terminals["pB"]
    lon, lat = elders.home("pB")
    mqtt_publish([encode.native(native.device_id, type="position", time=at(20), lon=lon, lat=lat)])
    wait_positions(native, 1)
    mqtt_publish([encode.native(native.device_id, type="position", time=at(10), lon=lon + 0.001, lat=lat)])
    older, newer = wait_positions(native, 2)
    assert (older.time, older.flags, newer.flags) == (at(10), "late", "")
    native.refresh_from_db()
    assert native.last_fix_at == at(20)
    assert abs(native.last_position.x - lon) < 1e-9


def test_fixes_that_cannot_be_drawn_are_kept_flagged(ingester, elders):
    native, watch = elders.terminals["pB"], elders.terminals["pA"]
    lon, lat = elders.home("pB")
    mqtt_publish([
        encode.native(native.device_id, type="position", time=at(30), lon=lon, lat=lat, fix=False),
        encode.native(native.device_id, type="position", time=at(31), lon=0, lat=0),
        encode.native(native.device_id, type="position", time=at(32), lon=lon, lat=95.5),
        encode.native(native.device_id, type="position", time=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
                      lon=lon, lat=lat),
        encode.watch3g(watch.device_id, type="UD", time=at(33), lon=lon, lat=lat, fix=False),
    ])
    rows = wait_positions(native, 4)
    assert [r.flags for r in rows] == ["no_fix", "no_fix,zero", "out_of_range", "future"]
    assert all(not r.drawable and r.area_id is None and r.zone == "" for r in rows)
    [v] = wait_positions(watch, 1)
    assert (v.flags, v.gps_fix, v.drawable) == ("no_fix", False, False)
    native.refresh_from_db()
    assert native.last_position is None and native.last_fix_at is None
    assert native.last_seen_at is not None  # it was heard, though


def test_bad_messages_are_quarantined_and_the_ingester_goes_on(ingester, elders):
    native = elders.terminals["pB"]
    lon, lat = elders.home("pB")
    bad = [
        ("eldercare/nat-b/up", b"{not json"),
        ("eldercare/nat-b/up", b'{"type": "teleport"}'),
        ("eldercare/nobody/up", b'{"type": "heartbeat"}'),
        ("watch/860000000000001/up", b"[3G*860000000000001*0009*UD,garbage"),
    ]
    mqtt_publish([*bad, encode.native(native.device_id, type="position", time=at(40), lon=lon, lat=lat)])
    wait_positions(native, 1)
    kept = wait_until(lambda: len(q := list(QuarantinedMessage.objects.order_by("id"))) >= 4 and q,
                      what="four quarantined messages")
    by_topic = {(m.topic, bytes(m.payload)): m.reason for m in kept}
    assert by_topic[bad[0]].startswith("payload is not valid JSON")
    assert by_topic[bad[1]] == "unknown message type 'teleport'"
    assert by_topic[bad[2]] == "unknown terminal 'nobody'"
    assert by_topic[bad[3]] == "frame is not enclosed in [ ]"
    assert ingester.process.poll() is None
    counted = {c.format: c.count for c in IngestCount.objects.filter(outcome="quarantined")}
    assert counted == {"native": 3, "watch3g": 1}


def test_a_payload_of_watch_frames_with_an_unreadable_one_is_ingested_and_quarantined(ingester, elders):
    """A gateway forwards several frames in one message; the readable ones count (here an
    SOS), the message is kept in quarantine with the reason naming the bad frame."""
    watch = elders.terminals["pA"]
    lon, lat = elders.home("pA")
    topic, sos = encode.watch3g(watch.device_id, type="AL", time=at(70), lon=lon, lat=lat, flags={SOS})
    payload = encode.watch3g_frame(watch.device_id, "LK,0,0,80") + encode.watch3g_frame(watch.device_id, "UD,9") + sos
    mqtt_publish([(topic, payload)])
    [fix] = wait_positions(watch, 1)
    assert fix.time == at(70)
    wait_until(lambda: watch.alerts.filter(kind="sos").exists(), what="an SOS alert")
    [kept] = wait_until(lambda: list(QuarantinedMessage.objects.filter(topic=topic)), what="the message quarantined")
    assert (bytes(kept.payload), kept.reason) == (payload, "frame 2: UD has 1 fields, expected at least 16 (date … status)")
    assert IngestCount.objects.get(format="watch3g", outcome="quarantined").count == 1


def test_positions_land_in_the_partition_of_their_day(ingester, elders):
    """A day's partition, or the month's where one made before daily partitions covers it."""
    native = elders.terminals["pB"]
    lon, lat = elders.home("pB")
    mqtt_publish([encode.native(native.device_id, type="position", time=at(50), lon=lon, lat=lat)])
    wait_positions(native, 1)
    with connection.cursor() as cursor:
        cursor.execute("""SELECT p.tableoid::regclass::text, b.lo <= p.time AND p.time < b.hi FROM iot_position p
                          JOIN iot_partitions('iot_position') b ON b.name = p.tableoid::regclass::text
                          WHERE p.terminal_id = %s""", [native.id])
        name, inside = cursor.fetchone()
    day = at(50).astimezone(dt.UTC)
    assert name in (f"iot_position_y{day:%Y}m{day:%m}d{day:%d}", f"iot_position_y{day:%Y}m{day:%m}") and inside


def test_an_sos_frame_raises_an_alert_at_its_position(ingester, elders):
    watch = elders.terminals["pA"]
    lon, lat = elders.home("pA")
    mqtt_publish([encode.watch3g(watch.device_id, type="AL", time=at(60), lon=lon, lat=lat, flags={SOS})])
    alert = wait_until(lambda: watch.alerts.first(), what="an SOS alert")
    assert (alert.kind, alert.state, alert.raised_at, alert.area_id) == (
        "sos", "new", at(60), elders.terminals["pA"].person.residences.get().house.building.area_id)
    assert abs(alert.position.x - lon) < 1e-6
