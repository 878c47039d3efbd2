"""Native JSON format (`native`): the format of our own terminals and gateways.

Topic: `eldercare/<device_id>/up`. Payload: UTF-8 JSON, either one message object or
a JSON array of message objects (a terminal uploading fixes it buffered while offline,
oldest first; each element becomes one report, and one bad element rejects the whole
upload). Example:

    {"type": "position", "ts": 1795400000, "lat": 25.04, "lon": 102.72, "acc": 12.5,
     "spd": 3.2, "crs": 180, "alt": 1900, "sat": 7, "batt": 81, "sig": 70}

Fields (all optional unless said otherwise; `null` counts as absent; unknown fields are
ignored, so terminals may send more):

| field | JSON type | meaning |
| --- | --- | --- |
| `type` | string, **required** | `position`, `heartbeat`, `sos`, `fall`, `removed` or `battery` (below) |
| `ts` | number or string | time of the fix or event: epoch seconds (UTC, may have a fraction) or ISO 8601 with `Z` or an offset (`"2026-11-23T08:00:00Z"`, `"2026-11-23T16:00:00+08:00"`). Absent: the server uses the time it received the message |
| `dev` | string | device id; when present it must equal the topic's `<device_id>` |
| `lat`, `lon` | number | WGS84 degrees (not GCJ-02); both or neither |
| `fix` | boolean | `false`: no GPS lock (a cell/Wi-Fi or last-known position); default `true`. A position of exactly 0,0 is always taken as no lock |
| `acc` | number | horizontal accuracy, metres |
| `spd` | number | speed, km/h |
| `crs` | number | course, degrees clockwise from north |
| `alt` | number | altitude, metres |
| `sat` | integer | satellites used |
| `batt` | integer | battery, percent |
| `sig` | integer | mobile signal, 0–100 |
| `steps` | integer | pedometer count |
| `low` | boolean | (`battery` only) the terminal itself says its battery is low |

Types:

- `position` — a fix; `lat` and `lon` required.
- `heartbeat` — the terminal is alive; usually carries `batt`, `sig`, `steps`.
- `sos` (SOS button), `fall` (fall detected), `removed` (taken off the wrist) — alarms;
  they may carry the position where they happened.
- `battery` — a battery report; `batt` required. It is a low-battery alarm when
  `batt` ≤ 20 (%) or `"low": true`, otherwise just a status report.

Any type may carry a position and the status fields. Numbers must be JSON numbers (not
strings); integer fields accept `81` or `81.0`. A latitude/longitude out of range is
accepted here (the ingester flags it); anything unreadable — bad UTF-8 or JSON, a missing
or ill-typed field, an unknown type, a `dev` that is not the topic's device — rejects the
whole message with a reason naming the field (it goes to quarantine).
"""
from __future__ import annotations

import datetime as dt
import json
import math

from iot.formats.base import (
    ALARM,
    FALL,
    HEARTBEAT,
    LOW_BATTERY,
    POSITION,
    REMOVED,
    SOS,
    MalformedMessage,
    Report,
    register,
)
from iot.formats.reasons import Reason

FORMAT = "native"
LOW_BATTERY_PERCENT = 20  # a "battery" report at or below this is a low-battery alarm

# type → (Report kind, flags)
TYPES: dict[str, tuple[str, frozenset[str]]] = {
    "position": (POSITION, frozenset()),
    "heartbeat": (HEARTBEAT, frozenset()),
    "sos": (ALARM, frozenset({SOS})),
    "fall": (ALARM, frozenset({FALL})),
    "removed": (ALARM, frozenset({REMOVED})),
    "battery": (HEARTBEAT, frozenset()),  # ALARM + LOW_BATTERY when low
}
_LOW = frozenset({LOW_BATTERY})
_EPOCH_MAX = 253402300799  # 9999-12-31T23:59:59Z


# --- helpers shared with the OwnTracks decoder ------------------------------------------

def _reject_constant(name: str):
    raise MalformedMessage(f"payload is not valid JSON: {name} is not a number JSON allows", code=Reason.JSON)


_decoder = json.JSONDecoder(parse_constant=_reject_constant)


def load_json(payload: bytes):
    """The payload parsed as UTF-8 JSON (NaN/Infinity refused), or MalformedMessage."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedMessage(f"payload is not valid UTF-8 (byte {exc.start})", code=Reason.ENCODING) from None
    try:
        return _decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise MalformedMessage(f"payload is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", code=Reason.JSON) from None


def number(obj: dict, key: str, *, required: bool = False, strings: bool = False) -> float | None:
    """``obj[key]`` as a float (None when absent or null). ``strings`` also accepts numeric
    strings (legacy OwnTracks)."""
    v = obj.get(key)
    t = type(v)
    if t is float:
        if math.isfinite(v):
            return v
    elif t is int:
        return float(v)
    elif v is None:
        if required:
            raise MalformedMessage(f"missing field '{key}'", code=Reason.MISSING_FIELD)
        return None
    elif strings and t is str:
        try:
            f = float(v)
        except ValueError:
            pass
        else:
            if math.isfinite(f):
                return f
    raise MalformedMessage(f"field '{key}' must be a number, got {v!r}", code=Reason.BAD_VALUE)


def integer(obj: dict, key: str, *, required: bool = False, strings: bool = False) -> int | None:
    """``obj[key]`` as an int: a JSON integer or an integral float (None when absent)."""
    v = obj.get(key)
    t = type(v)
    if t is int:
        return v
    if v is None:
        if required:
            raise MalformedMessage(f"missing field '{key}'", code=Reason.MISSING_FIELD)
        return None
    if t is float and v.is_integer():
        return int(v)
    if strings and t is str:
        try:
            return int(v)
        except ValueError:
            pass
    raise MalformedMessage(f"field '{key}' must be an integer, got {v!r}", code=Reason.BAD_VALUE)


def boolean(obj: dict, key: str) -> bool | None:
    v = obj.get(key)
    if v is None or v is True or v is False:
        return v
    raise MalformedMessage(f"field '{key}' must be true or false, got {v!r}", code=Reason.BAD_VALUE)


def epoch_time(seconds: float, key: str) -> dt.datetime:
    """An aware UTC datetime from epoch seconds, refusing absurd values."""
    if not 0 <= seconds <= _EPOCH_MAX:
        hint = " (milliseconds instead of seconds?)" if seconds > _EPOCH_MAX else ""
        raise MalformedMessage(f"field '{key}' {seconds!r} is not a time in epoch seconds{hint}", code=Reason.BAD_TIME)
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def time_field(obj: dict, key: str, *, required: bool = False) -> dt.datetime | None:
    """Epoch seconds (number) or ISO 8601 with a zone (string) → aware UTC datetime."""
    v = obj.get(key)
    t = type(v)
    if t is int or t is float:
        if t is float and not math.isfinite(v):
            raise MalformedMessage(f"field '{key}' must be a time, got {v!r}", code=Reason.BAD_TIME)
        return epoch_time(v, key)
    if v is None:
        if required:
            raise MalformedMessage(f"missing field '{key}'", code=Reason.MISSING_FIELD)
        return None
    if t is str:
        try:
            when = dt.datetime.fromisoformat(v)
        except ValueError:
            raise MalformedMessage(f"field '{key}' {v!r} is not an ISO 8601 time", code=Reason.BAD_TIME) from None
        if when.tzinfo is None:
            raise MalformedMessage(f"field '{key}' {v!r} has no time zone (add Z or an offset such as +08:00)", code=Reason.BAD_TIME)
        return when.astimezone(dt.UTC)
    raise MalformedMessage(f"field '{key}' must be epoch seconds or an ISO 8601 string, got {v!r}", code=Reason.BAD_TIME)


# --- the decoder ------------------------------------------------------------------------

def _report(device_id: str, obj) -> Report:
    if type(obj) is not dict:
        raise MalformedMessage(f"a message must be a JSON object, got {type(obj).__name__}", code=Reason.SHAPE)
    mtype = obj.get("type")
    if mtype is None:
        raise MalformedMessage("missing field 'type'", code=Reason.MISSING_FIELD)
    try:
        kind, flags = TYPES[mtype]
    except (KeyError, TypeError):
        raise MalformedMessage(f"unknown message type {mtype!r}", code=Reason.UNKNOWN_TYPE) from None
    dev = obj.get("dev")
    if dev is not None and dev != device_id:
        raise MalformedMessage(f"device id {dev!r} in the payload does not match topic device {device_id!r}", code=Reason.DEVICE_MISMATCH)

    lat = number(obj, "lat", required=mtype == "position")
    lon = number(obj, "lon", required=mtype == "position")
    if (lat is None) != (lon is None):
        raise MalformedMessage("field 'lat' without 'lon'" if lon is None else "field 'lon' without 'lat'", code=Reason.MISSING_FIELD)
    fix = boolean(obj, "fix")
    gps_fix = lat is not None and fix is not False and not (lat == 0 and lon == 0)

    batt = integer(obj, "batt", required=mtype == "battery")
    if mtype == "battery":
        low = boolean(obj, "low")
        if low or batt <= LOW_BATTERY_PERCENT:
            kind, flags = ALARM, _LOW

    return Report(
        device_id=device_id, kind=kind, format=FORMAT, time=time_field(obj, "ts"),
        lat=lat, lon=lon, gps_fix=gps_fix,
        accuracy_m=number(obj, "acc"), speed_kmh=number(obj, "spd"), course=number(obj, "crs"),
        altitude_m=number(obj, "alt"), satellites=integer(obj, "sat"), battery=batt,
        signal=integer(obj, "sig"), steps=integer(obj, "steps"), flags=flags, message_type=mtype)


def decode(parts: list[str], payload: bytes) -> list[Report]:
    """Reports in one ``eldercare/<device_id>/up`` message."""
    if parts[2] != "up" or not parts[1]:
        raise MalformedMessage(f"topic {'/'.join(parts)!r} is not eldercare/<device_id>/up", code=Reason.TOPIC)
    device_id = parts[1]
    data = load_json(payload)
    if type(data) is list:
        out = []
        for i, obj in enumerate(data):
            try:
                out.append(_report(device_id, obj))
            except MalformedMessage as exc:
                raise MalformedMessage(f"item {i}: {exc}", code=exc.code) from None
        return out
    if type(data) is not dict:
        raise MalformedMessage(f"payload must be a JSON object or an array of objects, got {type(data).__name__}", code=Reason.SHAPE)
    return [_report(device_id, data)]


register("eldercare", 3, decode)
