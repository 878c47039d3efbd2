"""OwnTracks JSON (`owntracks`), as published by the OwnTracks apps in MQTT mode
(https://owntracks.org/booklet/tech/json/).

Topics: `owntracks/<user>/<device>` (locations, `lwt`) and the app's sub-topics
`owntracks/<user>/<device>/<sub>` (`event` carries transitions; `cmd`, `step`, `info`,
`waypoint`, … carry nothing we use). The terminal is `<device>`.

- `_type: "location"` → POSITION with gps_fix True: `lat`, `lon`, `tst` (epoch s)
  required; `acc` (m), `alt` (m), `batt` (%), `vel` (km/h), `cog` (°) optional;
  `tid`, `t`, `conn`, `bs`, `inregions`, … ignored.
- `_type: "transition"` → TRANSITION with flags {ENTERED_FENCE} (`event: "enter"`) or
  {LEFT_FENCE} (`"leave"`); `tst` required, `lat`/`lon`/`acc` optional. The region
  (`desc`, `rid`) is the phone's own waypoint, not one of our safe zones, and is not kept.
- `_type: "lwt"` → OFFLINE (the broker published the app's last will). Its `tst` is when
  the app *connected*, not when it went away, so the report has no time and the ingester
  uses the time it received it.
- any other `_type` (waypoint, waypoints, card, cmd, steps, status, beacon, encrypted,
  configuration, request, …) → no report; a missing `_type` is malformed.

Numbers may also come as numeric strings (old app versions sent them so). If the payload
names its `topic` (Android does) under `owntracks/`, its device must be the topic's.
"""
from __future__ import annotations

from iot.formats.base import (
    ENTERED_FENCE,
    LEFT_FENCE,
    OFFLINE,
    POSITION,
    TRANSITION,
    MalformedMessage,
    Report,
    register,
)
from iot.formats.native import epoch_time, integer, load_json, number
from iot.formats.reasons import Reason

FORMAT = "owntracks"
_EVENTS = {"enter": frozenset({ENTERED_FENCE}), "leave": frozenset({LEFT_FENCE})}


def _num(obj, key, required=False):
    return number(obj, key, required=required, strings=True)


def _tst(obj: dict, required: bool = True):
    seconds = _num(obj, "tst", required=required)
    return None if seconds is None else epoch_time(seconds, "tst")


def decode(parts: list[str], payload: bytes) -> list[Report]:
    """Reports in one ``owntracks/<user>/<device>[/<sub>]`` message."""
    device_id = parts[2]
    if not device_id:
        raise MalformedMessage(f"topic {'/'.join(parts)!r} has no device", code=Reason.TOPIC)
    obj = load_json(payload)
    if type(obj) is not dict:
        raise MalformedMessage(f"payload must be a JSON object, got {type(obj).__name__}", code=Reason.SHAPE)
    mtype = obj.get("_type")
    if mtype is None:
        raise MalformedMessage("missing field '_type'", code=Reason.MISSING_FIELD)
    if type(mtype) is not str:
        raise MalformedMessage(f"field '_type' must be a string, got {mtype!r}", code=Reason.BAD_VALUE)
    if mtype not in ("location", "transition", "lwt"):
        return []

    topic = obj.get("topic")
    if type(topic) is str and topic.startswith("owntracks/"):
        named = topic.split("/")
        if len(named) >= 3 and named[2] != device_id:
            raise MalformedMessage(
                f"device id {named[2]!r} in the payload does not match topic device {device_id!r}", code=Reason.DEVICE_MISMATCH)

    if mtype == "location":
        lat, lon = _num(obj, "lat", True), _num(obj, "lon", True)
        return [Report(
            device_id=device_id, kind=POSITION, format=FORMAT, time=_tst(obj), lat=lat, lon=lon,
            gps_fix=not (lat == 0 and lon == 0), accuracy_m=_num(obj, "acc"), speed_kmh=_num(obj, "vel"),
            course=_num(obj, "cog"), altitude_m=_num(obj, "alt"),
            battery=integer(obj, "batt", strings=True), message_type=mtype)]

    if mtype == "transition":
        event = obj.get("event")
        try:
            flags = _EVENTS[event]
        except (KeyError, TypeError):
            if event is None:
                raise MalformedMessage("missing field 'event'", code=Reason.MISSING_FIELD) from None
            raise MalformedMessage(f"field 'event' must be 'enter' or 'leave', got {event!r}", code=Reason.BAD_VALUE) from None
        lat, lon = _num(obj, "lat"), _num(obj, "lon")
        if (lat is None) != (lon is None):
            raise MalformedMessage("field 'lat' without 'lon'" if lon is None else "field 'lon' without 'lat'", code=Reason.MISSING_FIELD)
        return [Report(
            device_id=device_id, kind=TRANSITION, format=FORMAT, time=_tst(obj), lat=lat, lon=lon,
            gps_fix=lat is not None and not (lat == 0 and lon == 0), accuracy_m=_num(obj, "acc"),
            flags=flags, message_type=mtype)]

    _tst(obj, required=False)  # checked, but it is the connection time: see the docstring
    return [Report(device_id=device_id, kind=OFFLINE, format=FORMAT, message_type=mtype)]


register("owntracks", 3, decode)
register("owntracks", 4, decode)
