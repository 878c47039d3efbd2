"""Alerts from terminals' messages through the broker: safe-zone hysteresis (drift is not
an exit, a real exit is), repeats attaching to the open alert, low battery, silence."""
import datetime as dt

import pytest

from iot.alerting import alerts_raise_silent
from iot.batch_write import message_decode, messages_ingest
from iot.formats import encode
from iot.formats.base import FALL, SOS
from iot.models import Alert, AlertEvent, Position
from iot.zones import INSIDE, NEAR, OUTSIDE, ZoneState, zone_step
from tests.helpers import at, east_of, mqtt_publish, wait_until


@pytest.mark.parametrize("fixes, settled, flips", [
    ([OUTSIDE, OUTSIDE], INSIDE, []),                             # not enough in a row
    ([OUTSIDE, NEAR, OUTSIDE, OUTSIDE], OUTSIDE, ["left_zone"]),  # near says nothing either way
    ([OUTSIDE, OUTSIDE, INSIDE, OUTSIDE, OUTSIDE], INSIDE, []),    # one clear inside resets the count
    ([OUTSIDE] * 3 + [INSIDE] * 3, INSIDE, ["left_zone", "back_inside"]),
])
def test_zone_step(fixes, settled, flips):
    state, seen = ZoneState(), []
    for fix in fixes:
        state, flip = zone_step(state, fix, fixes=3)
        seen += [flip] if flip else []
    assert (state.settled, seen) == (settled, flips)


def walk(device_id: str, home: tuple[float, float], steps: list[tuple[float, float]], start: int) -> list:
    """Native fixes at (metres east of home, accuracy) one second apart."""
    return [encode.native(device_id, type="position", time=at(start + i), acc=acc,
                          **dict(zip(("lon", "lat"), east_of(home, metres), strict=True)))
            for i, (metres, acc) in enumerate(steps)]


def test_gps_drift_does_not_raise_an_exit_but_a_real_exit_does(ingester, elders):
    """Radius 300 m. Fixes 350 m out with 100 m accuracy are 'near' (drift); two clear
    exits then a clear inside reset the count; three clear exits in a row raise the
    alert; three clear insides close it (nobody had taken it up)."""
    native = elders.terminals["pB"]
    home = elders.home("pB")
    drift = [(350, 100), (380, 120), (340, 60), (20, 10)]
    blip = [(500, 20), (520, 20), (40, 10)]
    mqtt_publish(walk(native.device_id, home, drift + blip, start=100))
    wait_until(lambda: Position.objects.filter(terminal=native).count() == 7, what="seven fixes")
    zones = list(Position.objects.filter(terminal=native).order_by("time").values_list("zone", flat=True))
    assert zones == ["near", "near", "near", "inside", "outside", "outside", "inside"]
    assert not Alert.objects.filter(terminal=native).exists()

    mqtt_publish(walk(native.device_id, home, [(600, 15), (700, 15), (800, 15)], start=200))
    alert = wait_until(lambda: Alert.objects.filter(terminal=native, kind="left_zone").first(), what="left zone")
    assert (alert.state, alert.raised_at) == ("new", at(202))  # the third clear exit
    assert abs(alert.position.x - east_of(home, 800)[0]) < 1e-6

    mqtt_publish(walk(native.device_id, home, [(100, 10), (50, 10), (10, 10)], start=300))
    wait_until(lambda: Alert.objects.filter(pk=alert.pk, state="resolved").exists(), what="back inside")
    assert list(alert.events.values_list("action", flat=True)) == ["raised", "back_inside"]
    native.refresh_from_db()
    assert (native.zone_state, native.zone_streak) == ("inside", 0)


def test_repeated_sos_attach_to_the_open_alert(ingester, elders):
    watch = elders.terminals["pA"]
    lon, lat = elders.home("pA")
    mqtt_publish([encode.watch3g(watch.device_id, type="AL", time=at(400 + i), lon=lon, lat=lat, flags={SOS})
                  for i in range(3)])
    mqtt_publish([encode.watch3g(watch.device_id, type="AL", time=at(410), lon=lon, lat=lat, flags={FALL})])
    wait_until(lambda: Alert.objects.filter(terminal=watch, kind="sos", repeats=2).exists(), what="two repeats")
    wait_until(lambda: Alert.objects.filter(terminal=watch, kind="fall").exists(), what="a fall")
    sos = Alert.objects.get(terminal=watch, kind="sos")
    assert list(sos.events.values_list("action", "device_time")) == [
        ("raised", at(400)), ("repeat", at(401)), ("repeat", at(402))]
    assert Alert.objects.filter(terminal=watch).count() == 2


def test_a_resolved_alert_lets_the_next_sos_open_a_new_one(elders, world):
    from iot.services import alert_advance

    native = elders.terminals["pB"]
    lon, lat = elders.home("pB")
    messages_ingest([message_decode(*encode.native(native.device_id, type="sos", time=at(500), lon=lon, lat=lat))])
    first = Alert.objects.get(terminal=native)
    alert_advance(actor=world.users["dispatcher"], alert=first, action="resolve", note="家属已到")
    messages_ingest([message_decode(*encode.native(native.device_id, type="sos", time=at(600), lon=lon, lat=lat))])
    assert Alert.objects.filter(terminal=native).count() == 2
    assert Alert.objects.filter(terminal=native, state="new").get().raised_at == at(600)


def test_low_battery_raises_one_alert_however_often_it_is_reported(elders):
    watch = elders.terminals["pA"]
    lon, lat = elders.home("pA")
    for i in range(3):
        messages_ingest([message_decode(*encode.watch3g(watch.device_id, type="UD", time=at(700 + i), lon=lon,
                                                        lat=lat, battery=12))])
    alert = Alert.objects.get(terminal=watch)
    assert (alert.kind, alert.repeats) == ("low_battery", 2)
    assert list(alert.events.values_list("action", flat=True)) == ["raised"]


def test_a_silent_terminal_raises_an_alert_that_closes_when_it_is_heard(elders, settings):
    settings.IOT_SILENT_MINUTES = 30
    native = elders.terminals["pB"]
    lon, lat = elders.home("pB")
    messages_ingest([message_decode(*encode.native(native.device_id, type="heartbeat", batt=90))])
    assert alerts_raise_silent() == []
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=31)
    [change] = alerts_raise_silent(now=later)
    assert alerts_raise_silent(now=later) == []  # one open silent alert at a time
    alert = Alert.objects.get(pk=change.id)
    assert (alert.kind, alert.state) == ("silent", "new")
    messages_ingest([message_decode(*encode.native(native.device_id, type="position", time=at(800), lon=lon,
                                                   lat=lat))])
    alert.refresh_from_db()
    assert alert.state == "resolved"
    assert list(AlertEvent.objects.filter(alert=alert).values_list("action", flat=True)) == ["raised", "heard"]
