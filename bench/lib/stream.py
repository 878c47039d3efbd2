"""A stream of the bench terminals' messages, generated in memory before anything is timed:
positions round each elder's home (so some are outside the safe zone, and a few elders
wander off), device times increasing per device, some heartbeats and SOS, in the three
formats (iot/formats/encode.py); with what the ingester should make of it."""
from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.lib.terminals import RADIUS_M, Home
from gis_core.spatial import metres_per_degree

OWNTRACKS_USER = "elder"
STEP_S = 15                  # device time between a device's messages


@dataclass
class Stream:
    messages: list[tuple[str, bytes]]
    first_time: int                 # epoch seconds of the earliest device time
    expected: int                   # outcomes the ingester counts for the whole stream
    kinds: Counter = field(default_factory=Counter)     # position / heartbeat / sos per format
    zones: Counter = field(default_factory=Counter)     # the zone status each position should get
    payload_bytes: int = 0
    positions: int = 0              # rows the ingester should store
    packets: list[bytes] = field(default_factory=list)


def offset(lat: float, lon: float, distance_m: float, bearing: float) -> tuple[float, float]:
    per_lat, per_lon = metres_per_degree(lat)
    dlat = distance_m * math.cos(bearing) / per_lat
    dlon = distance_m * math.sin(bearing) / per_lon
    return round(lat + dlat, 6), round(lon + dlon, 6)


def stream_generate(homes: list[Home], count: int, *, seed: int, sos: int, heartbeat_share: float) -> Stream:
    """``count`` messages, round-robin over the devices in a shuffled order each round, each
    device's times increasing. Most positions lie within 250 m of home, one in ten 250–400 m
    out; one device in 200 wanders 450–700 m away for its last third."""
    from iot.formats import decode
    from iot.formats.base import SOS
    from iot.formats.encode import native, owntracks_location, watch3g

    rng = random.Random(seed)
    n = len(homes)
    rounds = math.ceil(count / n)
    first = int(time.time()) - rounds * STEP_S - 300
    offsets = [rng.randrange(STEP_S) for _ in range(n)]
    batteries = [rng.uniform(40, 100) for _ in range(n)]
    steps = [rng.randrange(5000) for _ in range(n)]
    wanderers = set(rng.sample(range(n), max(1, n // 200)))
    sos_at = set(rng.sample(range(count // 10, count - 1000), min(sos, max(0, count - 1000 - count // 10))))
    stream = Stream([], first, 0)
    order = list(range(n))
    i = 0
    for r in range(rounds):
        rng.shuffle(order)
        for d in order:
            if i == count:
                break
            home = homes[d]
            when = dt.datetime.fromtimestamp(first + r * STEP_S + offsets[d], dt.UTC)
            batteries[d] = max(20.0, batteries[d] - rng.uniform(0, 0.2))
            steps[d] += rng.randrange(30)
            battery, signal = round(batteries[d]), rng.randint(50, 100)
            if i in sos_at:
                kind = "sos"
            elif i < count - 1000 and rng.random() < heartbeat_share:
                kind = "heartbeat"
            else:
                kind = "position"
            if d in wanderers and r >= rounds * 2 // 3:
                distance = rng.uniform(450, 700)
            elif rng.random() < 0.9:
                distance = 250 * math.sqrt(rng.random())
            else:
                distance = rng.uniform(250, 400)
            lat, lon = offset(home.lat, home.lon, distance, rng.uniform(-math.pi, math.pi))
            accuracy = round(rng.uniform(5, 30), 1)
            speed, course = round(rng.uniform(0, 5), 1), rng.randrange(360)
            if home.protocol == "watch3g":
                accuracy = None
                if kind == "heartbeat":
                    message = watch3g(home.device_id, type="LK", battery=battery, steps=steps[d])
                else:
                    message = watch3g(home.device_id, type="AL" if kind == "sos" else "UD", time=when, lat=lat,
                                      lon=lon, speed=speed, course=float(course), signal=signal, battery=battery,
                                      steps=steps[d], flags={SOS} if kind == "sos" else ())
            elif home.protocol == "owntracks" and kind == "position":
                message = owntracks_location(OWNTRACKS_USER, home.device_id, time=int(when.timestamp()), lat=lat,
                                             lon=lon, acc=round(accuracy), batt=battery, vel=round(speed), cog=course)
                accuracy = round(accuracy)
            elif kind == "heartbeat":  # native, and OwnTracks phones' paired button (as the simulator does)
                message = native(home.device_id, type="heartbeat", time=when, batt=battery, sig=signal,
                                 steps=steps[d])
            else:
                message = native(home.device_id, type=kind, time=when, lat=lat, lon=lon, acc=accuracy, spd=speed,
                                 crs=course, batt=battery, sig=signal, steps=steps[d])
            reports = decode(*message)
            with_position = sum(1 for report in reports if report.has_position)
            stream.expected += with_position if reports else 1  # a heartbeat is counted nowhere
            stream.kinds[(reports[0].format if reports else "?", kind)] += 1
            stream.positions += with_position
            if with_position:
                margin, slack = distance - RADIUS_M, accuracy or 0
                stream.zones["outside" if margin > slack else "inside" if margin < -slack else "near"] += 1
            stream.messages.append(message)
            stream.payload_bytes += len(message[1])
            i += 1
    return stream


def sos_stream(db, *, devices: int, sos: int, rate: int) -> tuple[list[Home], list[Home], Stream]:
    """For the SOS benchmarks: the bench terminals ensured and reset, the homes of the
    ``sos`` devices that will press SOS (native format; they send nothing else), the others'
    homes and a minute of their background stream at ``rate`` messages a second."""
    from bench.lib.terminals import database_reset, homes_load, terminals_ensure

    terminals_ensure(db, devices)
    database_reset(db)
    homes = homes_load(db, devices)
    sos_homes = [h for h in homes if h.protocol == "native"][-sos:]
    background_homes = homes[: len(homes) - 3 * sos]
    return sos_homes, background_homes, stream_generate(background_homes, 60 * rate, seed=7, sos=0,
                                                        heartbeat_share=0.001)


def sos_arguments(parser) -> None:
    """The SOS benchmarks' --sos and --background options."""
    parser.add_argument("--sos", type=int, default=40, help="SOS messages, one at a time (default 40)")
    parser.add_argument("--background", type=int, default=2000, help="background positions per second (default 2000)")
