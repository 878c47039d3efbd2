"""Messages in each format, for tests and the terminal simulator: every function returns
``(topic, payload_bytes)`` that ``iot.formats.decode`` reads back to the values given.

Times are aware datetimes (or epoch seconds); coordinates WGS84 degrees.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping

from iot.formats.watch3g import STATUS_BITS

# the first status bit of each flag (the protocol has two for most)
FLAG_BITS: dict[str, int] = {}
for _bit, _flag in sorted(STATUS_BITS.items()):
    FLAG_BITS.setdefault(_flag, _bit)


def _epoch(time: dt.datetime | float | int) -> float | int:
    if isinstance(time, dt.datetime):
        if time.tzinfo is None:
            raise ValueError("time must be timezone-aware")
        seconds = time.timestamp()
        return int(seconds) if time.microsecond == 0 else seconds
    return time


def _json(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


# --- native -----------------------------------------------------------------------------

def native_object(*, type: str, time: dt.datetime | float | None = None, lat: float | None = None,
                  lon: float | None = None, fix: bool | None = None, acc: float | None = None,
                  spd: float | None = None, crs: float | None = None, alt: float | None = None,
                  sat: int | None = None, batt: int | None = None, sig: int | None = None,
                  steps: int | None = None, low: bool | None = None, dev: str | None = None,
                  iso: bool = False, extra: Mapping | None = None) -> dict:
    """One native message as a dict (None values left out). ``iso`` writes ``ts`` as ISO 8601
    instead of epoch seconds; ``extra`` adds (or overrides) fields verbatim."""
    obj: dict = {"type": type}
    if time is not None:
        if iso:
            if not isinstance(time, dt.datetime):
                time = dt.datetime.fromtimestamp(time, dt.UTC)
            obj["ts"] = time.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        else:
            obj["ts"] = _epoch(time)
    for key, value in (("dev", dev), ("lat", lat), ("lon", lon), ("fix", fix), ("acc", acc), ("spd", spd),
                       ("crs", crs), ("alt", alt), ("sat", sat), ("batt", batt), ("sig", sig),
                       ("steps", steps), ("low", low)):
        if value is not None:
            obj[key] = value
    if extra:
        obj.update(extra)
    return obj


def native(device_id: str, **fields) -> tuple[str, bytes]:
    """A native message (keywords as ``native_object``) on ``eldercare/<device_id>/up``."""
    return f"eldercare/{device_id}/up", _json(native_object(**fields))


def native_batch(device_id: str, messages: Iterable[Mapping]) -> tuple[str, bytes]:
    """A buffered upload: a JSON array, one element per dict of ``native_object`` keywords."""
    return f"eldercare/{device_id}/up", _json([native_object(**m) for m in messages])


# --- OwnTracks --------------------------------------------------------------------------

def _owntracks(topic: str, obj: dict) -> tuple[str, bytes]:
    return topic, _json({k: v for k, v in obj.items() if v is not None})


def owntracks_location(user: str, device_id: str, *, time: dt.datetime | float, lat: float, lon: float,
                       acc: float | None = None, batt: int | None = None, vel: float | None = None,
                       cog: float | None = None, alt: float | None = None,
                       tid: str | None = None) -> tuple[str, bytes]:
    """``_type: location`` on ``owntracks/<user>/<device>`` (tid defaults to the device's last two characters)."""
    return _owntracks(f"owntracks/{user}/{device_id}", {
        "_type": "location", "tid": tid or device_id[-2:], "tst": _epoch(time), "lat": lat, "lon": lon,
        "acc": acc, "batt": batt, "vel": vel, "cog": cog, "alt": alt, "t": "u", "conn": "m"})


def owntracks_transition(user: str, device_id: str, *, time: dt.datetime | float, event: str,
                         desc: str | None = None, rid: str | None = None, lat: float | None = None,
                         lon: float | None = None, acc: float | None = None,
                         subtopic: str | None = "event") -> tuple[str, bytes]:
    """``_type: transition`` (event "enter" or "leave"); the apps publish it on
    ``owntracks/<user>/<device>/event`` (``subtopic=None``: on the device topic itself)."""
    topic = f"owntracks/{user}/{device_id}" + (f"/{subtopic}" if subtopic else "")
    return _owntracks(topic, {
        "_type": "transition", "tid": device_id[-2:], "tst": _epoch(time), "event": event, "desc": desc,
        "rid": rid, "lat": lat, "lon": lon, "acc": acc, "t": "c"})


def owntracks_lwt(user: str, device_id: str, *, time: dt.datetime | float | None = None) -> tuple[str, bytes]:
    """``_type: lwt`` (``time``: when the app connected)."""
    return _owntracks(f"owntracks/{user}/{device_id}", {
        "_type": "lwt", "tst": None if time is None else _epoch(time)})


# --- 3G watch ---------------------------------------------------------------------------

def watch3g_frame(device_id: str, content: str | bytes, *, manufacturer: str = "3G") -> bytes:
    """``[MF*DEVICEID*LEN*CONTENT]`` with the right LEN."""
    body = content.encode() if isinstance(content, str) else content
    return b"[%s*%s*%04X*%s]" % (manufacturer.encode(), device_id.encode(), len(body), body)


def _n(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    return str(value)


def watch3g(device_id: str, *, type: str, time: dt.datetime | None = None, lat: float | None = None,
            lon: float | None = None, fix: bool = True, speed: float = 0.0, course: float = 0.0,
            altitude: float = 0.0, satellites: int | None = None, signal: int = 100,
            battery: int | None = None, steps: int = 0, rolls: int = 0, status_bits: Iterable[int] = (),
            flags: Iterable[str] = (), fields: Iterable = (), manufacturer: str = "3G") -> tuple[str, bytes]:
    """A frame on ``watch/<device_id>/up``.

    - ``type="LK"``: ``LK`` alone when ``battery`` is None, else ``LK,steps,rolls,battery``.
    - ``UD``/``UD2``/``AL`` (and variants): the full field list, one base station and no
      Wi-Fi appended. ``time`` None writes ``000000,000000`` (no time); ``lat``/``lon``
      None write 0,0; ``fix`` False writes ``V``. ``satellites`` defaults to 8 with a fix,
      0 without; ``battery`` to 100. The status word sets ``status_bits`` plus the first
      bit of each of ``flags`` (e.g. ``{SOS}`` → bit 16).
    - any other type: ``TYPE`` followed by ``fields``, comma-separated.
    """
    topic = f"watch/{device_id}/up"
    kind = type.upper()
    if kind == "LK":
        content = "LK" if battery is None else f"LK,{steps},{rolls},{battery}"
    elif kind.startswith(("UD", "AL")):
        date_s, time_s = ("000000", "000000") if time is None else (
            time.astimezone(dt.UTC).strftime("%d%m%y"), time.astimezone(dt.UTC).strftime("%H%M%S"))
        lat = 0.0 if lat is None else lat
        lon = 0.0 if lon is None else lon
        word = 0
        for bit in status_bits:
            word |= 1 << bit
        for flag in flags:
            word |= 1 << FLAG_BITS[flag]
        content = ",".join((
            type, date_s, time_s, "A" if fix else "V",
            f"{abs(lat):.6f}", "S" if lat < 0 else "N", f"{abs(lon):.7f}", "W" if lon < 0 else "E",
            _n(speed), _n(course), _n(altitude), str(satellites if satellites is not None else (8 if fix else 0)),
            str(signal), str(100 if battery is None else battery), str(steps), str(rolls), f"{word:08X}",
            "1", "255", "460", "0", "9360", "4082", "131", "0"))
    else:
        content = ",".join([type, *map(str, fields)])
    return topic, watch3g_frame(device_id, content, manufacturer=manufacturer)
