"""The terminal simulator: who it simulates, how its elders walk, that every message it
sends reads back through iot.formats, and a short run against the real broker."""
from __future__ import annotations

import datetime as dt
import io
import math
import os
import queue
import random
import signal
import statistics
import threading
import uuid
from dataclasses import replace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assets import services as assets_services
from iot.formats.base import ALARM, FALL, LOW_BATTERY, POSITION, SOS, Report, decode
from iot.models import SafeZone, Terminal, TerminalStatus
from iot.simulator import (
    WANDERING,
    Elder,
    Home,
    Progress,
    Rates,
    elder_new,
    elder_step,
    load_homes,
    run_schedule,
    wander_start,
)
from tests.helpers import id_number, mqtt_listen

pytestmark = pytest.mark.django_db

QUIET = Rates(sos=0, fall=0, wander=0, low_battery=0, silent=0, no_fix=0)
PROTOCOLS = ("native", "owntracks", "watch3g")


def imei() -> str:
    """A fresh 15-digit device id (3G watches allow only letters and digits), so runs
    sharing the broker never see each other's devices."""
    return f"86{uuid.uuid4().int % 10**13:013d}"


@pytest.fixture
def homes(world) -> dict[str, Home]:
    """One terminal per protocol for the world's three residents, each with a safe zone,
    plus terminals the simulator must skip: inactive, without an elder, and one whose
    elder has a safe zone but no home. Keyed by protocol."""
    radius = {"pA": 300, "pB": 200, "pF": 500}
    made = {}
    for protocol, key in zip(PROTOCOLS, ("pA", "pB", "pF")):
        person = world.people[key]
        SafeZone.objects.create(person=person, radius_m=radius[key])
        terminal = Terminal.objects.create(device_id=imei(), protocol=protocol, person=person)
        anchor = person.residences.get().house.building.anchor
        made[protocol] = Home(device_id=terminal.device_id, protocol=protocol, lat=anchor.y, lon=anchor.x,
                              radius_m=float(radius[key]))
    Terminal.objects.create(device_id=imei(), protocol="native", person=world.people["pA"],
                            status=TerminalStatus.INACTIVE)
    Terminal.objects.create(device_id=imei(), protocol="native")
    homeless = assets_services.person_create(actor=world.users["root"], house=None, name="无房",
                                             id_number=id_number("53010319500101004"))
    SafeZone.objects.create(person=homeless)
    Terminal.objects.create(device_id=imei(), protocol="watch3g", person=homeless)
    return made


def distance_m(home: Home, lat: float, lon: float) -> float:
    north = (lat - home.lat) * 111_320
    east = (lon - home.lon) * 111_320 * math.cos(math.radians(home.lat))
    return math.hypot(east, north)


def simulate(home: Home, *, hours: float, rates: Rates, seed: int = 1, step_s: float = 10.0,
             prepare=lambda elder, rng: None) -> tuple[Elder, list[tuple[str, Report]]]:
    """Run one elder (``prepare``d first) for ``hours`` of simulated time; every message
    decoded, with its topic."""
    rng = random.Random(seed)
    elder = elder_new(home=home, rng=rng)
    prepare(elder, rng)
    out = []
    now = dt.datetime.now(dt.UTC)
    for _ in range(int(hours * 3600 / step_s)):
        for topic, payload in elder_step(elder, dt_s=step_s, now=now, rng=rng, rates=rates):
            out.extend((topic, report) for report in decode(topic, payload))
    return elder, out


def fixes(reports: list[tuple[str, Report]]) -> list[Report]:
    return [r for _, r in reports if r.has_position and r.gps_fix]


# --------------------------------------------------------------------------- loading

def test_the_loader_finds_active_terminals_with_their_homes_in_one_query(homes, django_assert_num_queries):
    with django_assert_num_queries(1):
        loaded = load_homes(limit=10)
    assert sorted(loaded, key=lambda h: h.device_id) == sorted(homes.values(), key=lambda h: h.device_id)
    assert len(load_homes(limit=2)) == 2


def test_without_terminals_with_a_home_the_loader_says_what_to_do(homes):
    Terminal.objects.update(status=TerminalStatus.LOST)
    with pytest.raises(LookupError, match=r"manage.py seed_demo"):
        load_homes(limit=10)
    with pytest.raises(CommandError, match="no terminals with a home"):
        call_command("simulate_terminals", "--duration", "1", stdout=io.StringIO())


# --------------------------------------------------------------------------- the walk

@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_normal_elders_stay_mostly_within_their_zone(homes, protocol):
    home = homes[protocol]
    _, reports = simulate(home, hours=1, rates=QUIET, seed=11)
    distances = [distance_m(home, r.lat, r.lon) for r in fixes(reports)]
    assert len(distances) == 360
    inside = sum(d <= home.radius_m for d in distances) / len(distances)
    assert inside >= 0.95
    assert max(distances) > 30  # they do go out
    assert all(0.5 <= r.speed_kmh / 3.6 <= 1.4 for r in fixes(reports) if r.speed_kmh)


@pytest.mark.parametrize("seed", range(3))
def test_the_wander_rate_sends_elders_out_of_their_zone(homes, seed):
    home = homes["native"]
    elder, reports = simulate(home, hours=1, rates=replace(QUIET, wander=3.0), seed=seed)
    distances = [distance_m(home, r.lat, r.lon) for r in fixes(reports)]
    assert elder.events["wander"] >= 1
    assert home.radius_m < max(distances) < 3.5 * home.radius_m + 50


@pytest.mark.parametrize("seed", range(3))
def test_a_wanderer_walks_steadily_out_to_beyond_the_zone_then_back(homes, seed):
    home = homes["owntracks"]
    elder, reports = simulate(home, hours=2, rates=QUIET, seed=seed,
                              prepare=lambda elder, rng: wander_start(elder=elder, rng=rng))
    distances = [distance_m(home, r.lat, r.lon) for r in fixes(reports)]
    assert 1.5 * home.radius_m - 50 < max(distances) < 3.5 * home.radius_m + 50
    out = next(i for i, d in enumerate(distances) if d > 1.5 * home.radius_m - 50)
    outward = distances[:out:30]  # every 5 minutes on the way out
    assert outward == sorted(outward)
    assert elder.mode not in WANDERING and elder.distance_m < home.radius_m  # back in the zone
    assert statistics.median(distances[-60:]) < home.radius_m


# --------------------------------------------------------------------------- messages

@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_every_message_decodes_to_its_device_in_its_protocol(homes, protocol):
    home = homes[protocol]
    rates = Rates(sos=2, fall=2, wander=1, low_battery=0.5, silent=1.5, no_fix=4)
    elder, reports = simulate(home, hours=4, rates=rates, seed=3)
    assert {r.device_id for _, r in reports} == {home.device_id}
    now = dt.datetime.now(dt.UTC)
    assert all(abs((r.time - now).total_seconds()) < 60 for _, r in reports if r.time)
    kinds = {(r.format, r.kind) for _, r in reports}
    if protocol == "owntracks":  # alarms go out as native messages: OwnTracks has none
        assert kinds == {("owntracks", POSITION), ("native", ALARM)}
        assert all(t == f"eldercare/{home.device_id}/up" for t, r in reports if r.kind == ALARM)
    else:
        assert {f for f, _ in kinds} == {protocol}
        assert {r.gps_fix for _, r in reports if r.kind == POSITION} == {True, False}  # lost locks
    if protocol == "watch3g":
        assert {r.message_type for _, r in reports} == {"UD", "AL", "LK"}
    assert elder.events["silent"] >= 1  # and each silence lasts 35 min or more:
    assert 4 * 360 - len([r for _, r in reports if r.message_type != "LK"]) > 35 * 6
    assert elder.battery_stuck and reports[-1][1].battery == 10


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_high_sos_rate_sends_sos_and_falls_each_protocols_way(homes, protocol):
    home = homes[protocol]
    elder, reports = simulate(home, hours=1, rates=replace(QUIET, sos=30, fall=20), seed=8)
    alarms = [r for _, r in reports if r.kind == ALARM]
    expected_type = {"watch3g": "AL"}.get(protocol)
    assert {r.flags for r in alarms} == {frozenset({SOS}), frozenset({FALL})}
    assert {r.message_type for r in alarms} == ({expected_type} if expected_type else {"sos", "fall"})
    assert all(r.has_position and distance_m(home, r.lat, r.lon) < 3 * home.radius_m for r in alarms)
    assert sum(SOS in r.flags for r in alarms) == elder.events["sos"] >= 15


def test_a_stuck_battery_raises_the_watch_low_battery_flag(homes):
    _, reports = simulate(homes["watch3g"], hours=0.5, rates=replace(QUIET, low_battery=1000))
    positions = [r for _, r in reports if r.message_type == "UD"]
    assert len(positions) == 180
    assert all(r.battery == 10 and LOW_BATTERY in r.flags for r in positions)


def test_the_schedule_paces_each_device_at_the_interval_and_reports_progress(homes):
    rng = random.Random(2)
    elders = [elder_new(home=h, rng=rng) for h in homes.values()]
    sent: list[str] = []
    progress: list[Progress] = []
    total = run_schedule(elders=elders, interval_s=0.05, speedup=1, rates=QUIET, rng=rng,
                         publish=lambda topic, payload: sent.append(topic), stop=threading.Event(), duration_s=0.5,
                         on_progress=progress.append, progress_every_s=0.2)
    per_device = {h.device_id: sum(h.device_id in t for t in sent) for h in homes.values()}
    assert total.sent == len(sent)
    assert all(8 <= n <= 11 for n in per_device.values()), per_device
    assert [round(p.elapsed_s, 1) for p in progress] == [0.2, 0.4]
    assert 0 < progress[0].sent < progress[1].sent < total.sent


# --------------------------------------------------------------------------- the broker

def subscribe(homes: dict[str, Home]) -> tuple[object, queue.Queue]:
    """A reader of these devices' topics."""
    return mqtt_listen([f"eldercare/{h.device_id}/up" for h in homes.values()] + [
        f"watch/{homes['watch3g'].device_id}/up", f"owntracks/elder/{homes['owntracks'].device_id}"])


def drain(received: queue.Queue, seconds: float = 1.0) -> list[tuple[str, bytes]]:
    out = []
    try:
        while True:
            out.append(received.get(timeout=seconds))
    except queue.Empty:
        return out


def test_a_short_run_publishes_every_device_to_the_broker(homes, broker):
    client, received = subscribe(homes)
    try:
        out = io.StringIO()
        call_command("simulate_terminals", "--devices", "3", "--interval", "0.2", "--duration", "2",
                     "--seed", "4", "--sos-rate", "0", "--fall-rate", "0", "--silent-rate", "0", stdout=out)
        messages = drain(received)
    finally:
        client.loop_stop()
        client.disconnect()
    by_device: dict[str, list[Report]] = {}
    for topic, payload in messages:
        for report in decode(topic, payload):
            by_device.setdefault(report.device_id, []).append(report)
    assert set(by_device) == {h.device_id for h in homes.values()}
    for protocol, home in homes.items():
        reports = by_device[home.device_id]
        assert 7 <= len(reports) <= 13, (protocol, len(reports))
        assert {r.format for r in reports} == {protocol}
        assert all(distance_m(home, r.lat, r.lon) < home.radius_m + 200 for r in reports if r.gps_fix)
    summary = out.getvalue().splitlines()[-1]
    assert summary.startswith("done:") and f"{len(messages)} sent" in summary and "0 refused" in summary


def test_sigterm_stops_a_run_cleanly_with_a_summary(homes, broker):
    out = io.StringIO()
    threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGTERM)).start()
    call_command("simulate_terminals", "--interval", "0.1", "--seed", "1", stdout=out)
    summary = out.getvalue().splitlines()[-1]
    assert summary.startswith("done:") and "0 refused" in summary
    sent = int(summary.split(" sent")[0].split()[-1].replace(",", ""))
    assert 20 <= sent <= 50
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
