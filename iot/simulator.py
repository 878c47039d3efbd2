"""Simulated elders walking around their homes, for demos and load tests of the iot
pipeline without real watches (``manage.py simulate_terminals``).

Each terminal with a home (a SafeZone whose ``center`` the database filled from the
elder's primary residence) becomes an ``Elder``: a random walk in metres east/north of
home that mostly strolls within ``STROLL_SHARE`` of the zone radius, goes home and stays
indoors a while, and on rare events wanders steadily out of the zone, presses SOS, falls,
loses its GPS lock, goes silent or gets stuck at a low battery. ``elder_step`` advances
one elder and returns the MQTT messages its terminal sends, built by ``iot.formats.encode``
in the terminal's own protocol; it is pure apart from the ``rng`` it is given, so tests
run simulated hours in milliseconds. ``run_schedule`` paces the steps in real time and
hands each message to a ``publish`` callable (the command owns the MQTT client).

OwnTracks has no SOS or fall message: for those devices the alarm goes out as a native
message on ``eldercare/<device_id>/up`` (as a paired SOS button would), and a lost GPS
lock is a coarse network location (500–1500 m accuracy), which is what the app reports.

Event rates are per device per *simulated* hour; ``speedup`` makes simulated time run
faster than the publishing clock (a 10 s interval at speedup 60 moves each elder 10 min).
"""
from __future__ import annotations

import datetime as dt
import heapq
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from gis_core.spatial import metres_per_degree
from iot.formats.base import FALL, LOW_BATTERY, SOS
from iot.formats.encode import native, owntracks_location, watch3g
from iot.models import Protocol, Terminal, TerminalStatus

Message = tuple[str, bytes]

OWNTRACKS_USER = "elder"
SUBSTEP_S = 5.0               # the walk is integrated in steps no longer than this
SPEED_MPS = (0.5, 1.4)
STROLL_SHARE = 0.6            # strollers turn back beyond this share of the radius
STEER_S = 8.0                 # how quickly they turn back (time constant, seconds)
TURN_PER_SQRT_S = 0.3         # heading noise of a stroll, radians per √second
GO_OUT_PER_H, GO_HOME_PER_H, NEW_SPEED_PER_H = 1.5, 1.0, 6.0
WANDER_REACH = (1.5, 3.0)     # a wanderer heads this many radii out …
WANDER_LINGER_S = (600.0, 1800.0)  # … and stays out there this long before going back
LINGER_PACE = 0.6             # share of their walking speed while lingering out there
ACCURACY_M, INDOOR_ACCURACY_M, INDOOR_SHARE = (5.0, 30.0), (50.0, 150.0), 0.3
NETWORK_ACCURACY_M = (500.0, 1500.0)
NO_FIX_S = (60.0, 300.0)
SILENT_S = (35 * 60.0, 90 * 60.0)  # longer than IOT_SILENT_MINUTES, so silence is noticed
FALLEN_S = (300.0, 900.0)          # an elder who fell stays where they fell
DRAIN_PER_H, CHARGE_PER_H, CHARGE_BELOW = (0.8, 2.0), 40.0, 30.0
STUCK_BATTERY, LOW_BATTERY_FLAG_AT = 10.0, 15
LK_EVERY_S = 300.0            # 3G watches send a heartbeat about this often
STEP_LENGTH_M = 0.65


class NoTerminals(LookupError):
    """Nothing to simulate; the message says how to get something."""


class Mode(StrEnum):
    HOME = "home"                 # indoors at home, not moving
    STROLL = "stroll"             # random walk near home
    RETURN = "return"             # walking straight home
    WANDER_OUT = "wander_out"     # walking steadily out of the zone
    WANDER_AWAY = "wander_away"   # lingering outside the zone


WANDERING = frozenset({Mode.WANDER_OUT, Mode.WANDER_AWAY})


@dataclass(frozen=True, slots=True)
class Home:
    """A terminal to simulate and where its elder lives."""

    device_id: str
    protocol: str
    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True, slots=True)
class Rates:
    """Events per device per simulated hour."""

    sos: float = 0.02
    fall: float = 0.01
    wander: float = 0.02
    low_battery: float = 0.005
    silent: float = 0.01
    no_fix: float = 1.0


@dataclass(slots=True)
class Elder:
    """One simulated elder and the live state of their terminal (positions in metres
    east ``x`` and north ``y`` of home; angles counter-clockwise from east)."""

    home: Home
    x: float = 0.0
    y: float = 0.0
    heading: float = 0.0
    speed: float = 1.0
    mode: Mode = Mode.HOME
    pause_s: float = 0.0
    wander_heading: float = 0.0
    wander_target_m: float = 0.0
    linger_s: float = 0.0
    battery: float = 100.0
    drain_per_h: float = 1.2
    charging: bool = False
    battery_stuck: bool = False
    signal: int = 80
    steps: int = 0
    silent_s: float = 0.0
    no_fix_s: float = 0.0
    since_lk_s: float = 0.0
    last_fix: tuple[float, float] | None = None
    events: Counter[str] = field(default_factory=Counter)

    @property
    def distance_m(self) -> float:
        return math.hypot(self.x, self.y)

    def lat_lon(self, x: float | None = None, y: float | None = None) -> tuple[float, float]:
        """WGS84 degrees of a point in metres from home (default: where the elder is)."""
        x, y = (self.x if x is None else x), (self.y if y is None else y)
        per_lat, per_lon = metres_per_degree(self.home.lat)
        return float(self.home.lat + y / per_lat), float(self.home.lon + x / per_lon)


@dataclass(frozen=True, slots=True)
class Fix:
    """What the terminal reports as its position."""

    lat: float
    lon: float
    accuracy_m: float | None
    gps: bool
    speed_kmh: float
    course: float  # degrees clockwise from north


# --------------------------------------------------------------------------- loading

def load_homes(*, limit: int) -> list[Home]:
    """Up to ``limit`` active terminals whose elder has a home, in one query."""
    rows = (Terminal.objects.filter(status=TerminalStatus.ACTIVE, person__safe_zone__center__isnull=False)
            .order_by("id")  # registration order: the demo alternates protocols
            .values_list("device_id", "protocol", "person__safe_zone__center", "person__safe_zone__radius_m")[:limit])
    homes = [Home(device_id=d, protocol=p, lat=c.y, lon=c.x, radius_m=float(r)) for d, p, c, r in rows]
    if not homes:
        raise NoTerminals("no terminals with a home: load the demo district (manage.py seed_demo)")
    return homes


def elder_new(*, home: Home, rng: random.Random) -> Elder:
    """An elder somewhere near home, at home or out for a stroll, with a part-used battery."""
    angle, reach = rng.uniform(-math.pi, math.pi), rng.uniform(0, 0.3) * home.radius_m
    out = rng.random() < 0.5
    return Elder(home=home, x=reach * math.cos(angle) if out else 0.0, y=reach * math.sin(angle) if out else 0.0,
                 heading=rng.uniform(-math.pi, math.pi), speed=rng.uniform(*SPEED_MPS),
                 mode=Mode.STROLL if out else Mode.HOME, battery=rng.uniform(40, 100),
                 drain_per_h=rng.uniform(*DRAIN_PER_H), signal=rng.randint(55, 100))


# --------------------------------------------------------------------------- the walk

def _happens(rate_per_h: float, seconds: float, rng: random.Random) -> bool:
    """Whether a Poisson event of this hourly rate occurs within ``seconds``."""
    return rate_per_h > 0 and rng.random() < -math.expm1(-rate_per_h * seconds / 3600)


def _turn_towards(elder: Elder, bearing: float, share: float) -> None:
    diff = math.remainder(bearing - elder.heading, math.tau)
    elder.heading += diff * min(1.0, share)


def _substep(elder: Elder, h: float, rng: random.Random) -> None:
    if elder.pause_s > 0:
        elder.pause_s -= h
        return
    radius, distance = elder.home.radius_m, elder.distance_m
    homeward = math.atan2(-elder.y, -elder.x)
    speed = elder.speed
    match elder.mode:
        case Mode.HOME:
            if _happens(GO_OUT_PER_H, h, rng):
                elder.mode, elder.speed = Mode.STROLL, rng.uniform(*SPEED_MPS)
                elder.heading = rng.uniform(-math.pi, math.pi)
            return
        case Mode.STROLL:
            elder.heading += rng.gauss(0, TURN_PER_SQRT_S * math.sqrt(h))
            if distance > STROLL_SHARE * radius:
                _turn_towards(elder, homeward, h / STEER_S)
            if _happens(NEW_SPEED_PER_H, h, rng):
                elder.speed = rng.uniform(*SPEED_MPS)
            if _happens(GO_HOME_PER_H, h, rng):
                elder.mode = Mode.RETURN
        case Mode.RETURN:
            elder.heading = homeward + rng.gauss(0, 0.2)
            if distance <= speed * h:
                elder.steps += int(distance / STEP_LENGTH_M)
                elder.x = elder.y = 0.0
                elder.mode = Mode.HOME
                return
        case Mode.WANDER_OUT:
            elder.heading = elder.wander_heading + rng.gauss(0, 0.15)
            if distance >= elder.wander_target_m:
                elder.mode, elder.linger_s = Mode.WANDER_AWAY, rng.uniform(*WANDER_LINGER_S)
        case Mode.WANDER_AWAY:
            speed *= LINGER_PACE
            elder.heading += rng.gauss(0, TURN_PER_SQRT_S * math.sqrt(h))
            if distance < 0.8 * elder.wander_target_m:
                _turn_towards(elder, homeward + math.pi, h / STEER_S)
            elif distance > 1.1 * elder.wander_target_m:
                _turn_towards(elder, homeward, h / STEER_S)
            elder.linger_s -= h
            if elder.linger_s <= 0:
                elder.mode = Mode.RETURN
    elder.x += math.cos(elder.heading) * speed * h
    elder.y += math.sin(elder.heading) * speed * h
    elder.steps += int(speed * h / STEP_LENGTH_M)


def _walk(elder: Elder, seconds: float, rng: random.Random) -> None:
    while seconds > 0:
        h = min(SUBSTEP_S, seconds)
        _substep(elder, h, rng)
        seconds -= h


def _battery(elder: Elder, seconds: float) -> None:
    """Drain while out, charge at home once low; a stuck battery stays at STUCK_BATTERY."""
    if elder.battery_stuck:
        elder.battery = STUCK_BATTERY
        return
    at_home = elder.mode is Mode.HOME
    elder.charging = at_home and (elder.charging or elder.battery < CHARGE_BELOW)
    if elder.charging:
        elder.battery = min(100.0, elder.battery + CHARGE_PER_H * seconds / 3600)
        elder.charging = elder.battery < 100.0
    else:
        elder.battery = max(1.0, elder.battery - elder.drain_per_h * seconds / 3600)


def wander_start(*, elder: Elder, rng: random.Random) -> None:
    """Send the elder steadily out of the zone, away from home, to 1.5–3 radii."""
    away = math.atan2(elder.y, elder.x) if elder.distance_m > 1 else rng.uniform(-math.pi, math.pi)
    elder.mode, elder.wander_heading, elder.heading = Mode.WANDER_OUT, away, away
    elder.wander_target_m = rng.uniform(*WANDER_REACH) * elder.home.radius_m
    elder.speed, elder.pause_s = rng.uniform(0.8, SPEED_MPS[1]), 0.0
    elder.events["wander"] += 1


# --------------------------------------------------------------------------- messages

def _fix(elder: Elder, rng: random.Random) -> Fix:
    """The reported position: the true one plus GPS noise, or the last one without a lock."""
    course = (90.0 - math.degrees(elder.heading)) % 360.0
    pace = 0.0 if elder.mode is Mode.HOME or elder.pause_s > 0 else LINGER_PACE if elder.mode is Mode.WANDER_AWAY else 1
    speed_kmh = elder.speed * pace * 3.6
    lost = elder.no_fix_s > 0
    if lost and elder.home.protocol != Protocol.OWNTRACKS:
        lat, lon = elder.last_fix or elder.lat_lon(0.0, 0.0)
        return Fix(lat=lat, lon=lon, accuracy_m=None, gps=False, speed_kmh=0.0, course=0.0)
    if lost:
        band = NETWORK_ACCURACY_M
    elif elder.mode is Mode.HOME and rng.random() < INDOOR_SHARE:
        band = INDOOR_ACCURACY_M
    else:
        band = ACCURACY_M
    accuracy = rng.uniform(*band)
    sigma = accuracy / 1.5
    lat, lon = elder.lat_lon(elder.x + rng.gauss(0, sigma), elder.y + rng.gauss(0, sigma))
    lat, lon = round(lat, 6), round(lon, 6)
    if not lost:
        elder.last_fix = (lat, lon)
    return Fix(lat=lat, lon=lon, accuracy_m=round(accuracy, 1), gps=True, speed_kmh=round(speed_kmh, 1),
               course=round(course))


def _native(elder: Elder, *, fix: Fix, kind: str, now: dt.datetime) -> Message:
    return native(elder.home.device_id, type=kind, time=now, lat=fix.lat, lon=fix.lon,
                  fix=None if fix.gps else False, acc=fix.accuracy_m, spd=fix.speed_kmh, crs=fix.course,
                  batt=round(elder.battery), sig=elder.signal, steps=elder.steps)


def _owntracks(elder: Elder, *, fix: Fix, kind: str, now: dt.datetime) -> Message:
    if kind != "position":
        return _native(elder, fix=fix, kind=kind, now=now)
    return owntracks_location(OWNTRACKS_USER, elder.home.device_id, time=int(now.timestamp()), lat=fix.lat,
                              lon=fix.lon, acc=round(fix.accuracy_m), batt=round(elder.battery),
                              vel=round(fix.speed_kmh), cog=round(fix.course))


def _watch3g(elder: Elder, *, fix: Fix, kind: str, now: dt.datetime) -> Message:
    flags = {kind} if kind != "position" else set()
    if elder.battery <= LOW_BATTERY_FLAG_AT:
        flags.add(LOW_BATTERY)
    return watch3g(elder.home.device_id, type="UD" if kind == "position" else "AL", time=now.replace(microsecond=0),
                   lat=fix.lat, lon=fix.lon, fix=fix.gps, speed=fix.speed_kmh, course=float(fix.course),
                   signal=elder.signal, battery=round(elder.battery), steps=elder.steps, flags=flags)


ENCODERS: dict[str, Callable[..., Message]] = {
    Protocol.NATIVE: _native, Protocol.OWNTRACKS: _owntracks, Protocol.WATCH3G: _watch3g}


def elder_step(elder: Elder, *, dt_s: float, now: dt.datetime, rng: random.Random,
               rates: Rates = Rates()) -> list[Message]:
    """Advance ``elder`` by ``dt_s`` simulated seconds and return what its terminal
    publishes at ``now`` (device time, UTC): one position or alarm, a 3G watch's ``LK``
    heartbeat now and then, or nothing while the device is silent."""
    _walk(elder, dt_s, rng)
    _battery(elder, dt_s)
    if elder.silent_s > 0:
        elder.silent_s -= dt_s
        return []
    if not elder.battery_stuck and _happens(rates.low_battery, dt_s, rng):
        elder.battery_stuck, elder.battery = True, STUCK_BATTERY
        elder.events["low_battery"] += 1
    if elder.mode not in WANDERING and _happens(rates.wander, dt_s, rng):
        wander_start(elder=elder, rng=rng)
    if _happens(rates.silent, dt_s, rng):
        elder.silent_s = rng.uniform(*SILENT_S)
        elder.events["silent"] += 1
        return []
    if elder.no_fix_s <= 0 and _happens(rates.no_fix, dt_s, rng):
        elder.no_fix_s = rng.uniform(*NO_FIX_S)
        elder.events["no_fix"] += 1
    kind = SOS if _happens(rates.sos, dt_s, rng) else FALL if _happens(rates.fall, dt_s, rng) else "position"
    if kind != "position":
        elder.events[kind] += 1
    if kind == FALL:
        elder.pause_s = rng.uniform(*FALLEN_S)
    messages = [ENCODERS[elder.home.protocol](elder, fix=_fix(elder, rng), kind=kind, now=now)]
    elder.no_fix_s -= dt_s
    if elder.home.protocol == Protocol.WATCH3G:
        elder.since_lk_s += dt_s
        if elder.since_lk_s >= LK_EVERY_S:
            elder.since_lk_s = 0.0
            messages.append(watch3g(elder.home.device_id, type="LK", battery=round(elder.battery),
                                    steps=elder.steps))
    return messages


# --------------------------------------------------------------------------- pacing

@dataclass(frozen=True, slots=True)
class Progress:
    """Where a run is: seconds since it started, messages handed to ``publish``, events."""

    elapsed_s: float
    sent: int
    events: Counter[str]


def events_total(elders: Sequence[Elder]) -> Counter[str]:
    return sum((e.events for e in elders), Counter())


def run_schedule(*, elders: Sequence[Elder], interval_s: float, speedup: float, rates: Rates,
                 rng: random.Random, publish: Callable[[str, bytes], None], stop: threading.Event,
                 duration_s: float | None = None, on_progress: Callable[[Progress], None] | None = None,
                 progress_every_s: float = 10.0) -> Progress:
    """Step every elder once per ``interval_s`` (first steps staggered over one interval)
    and publish what it sends, until ``stop`` is set or ``duration_s`` has passed. A heap
    of due times keeps the pace whatever the number of devices; when publishing falls
    behind, due steps run back to back until it catches up."""
    if not elders:
        raise ValueError("no elders to simulate")
    start = time.monotonic()
    heap = [(start + rng.uniform(0, interval_s), i) for i in range(len(elders))]
    heapq.heapify(heap)
    end = math.inf if duration_s is None else start + duration_s
    next_progress, sent = start + progress_every_s, 0
    while not stop.is_set():
        due, i = heap[0]
        wake = min(due, next_progress, end)
        if wake > (now := time.monotonic()) and stop.wait(wake - now):
            break
        now = time.monotonic()
        if now >= end:
            break
        if now >= next_progress:
            next_progress += progress_every_s
            if on_progress:
                on_progress(Progress(now - start, sent, events_total(elders)))
        if now >= due:
            heapq.heapreplace(heap, (due + interval_s, i))
            for topic, payload in elder_step(elders[i], dt_s=interval_s * speedup, now=dt.datetime.now(dt.UTC),
                                             rng=rng, rates=rates):
                publish(topic, payload)
                sent += 1
    return Progress(time.monotonic() - start, sent, events_total(elders))
