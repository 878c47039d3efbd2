""""3G watch" text frames (`watch3g`), the protocol of most Chinese elderly and children's
watches, forwarded verbatim by a gateway on `watch/<device_id>/up`.

A frame is `[MF*DEVICEID*LEN*CONTENT]`: MF two characters (3G, SG, CS, …), LEN four hex
digits giving the length of CONTENT in bytes (checked), CONTENT comma-separated with the
message type first. Whitespace and NULs around the frame are tolerated.

- `LK` or `LK,steps,rolls,battery` → HEARTBEAT.
- `UD` (position), `UD2` (buffered "blind area" position, sent late), and their network
  variants `UD3`, `UD_LTE`, `UD_WCDMA` → POSITION; `AL`, `AL_LTE`, `AL_WCDMA` → ALARM. They
  carry: date ddmmyy, time hhmmss (UTC), A|V (GPS fix or not), latitude (decimal degrees),
  N|S, longitude, E|W, speed km/h, course, altitude m, satellites, GSM signal (0–100),
  battery %, steps, rolls, status (hex, 32 bits), then base stations and Wi-Fi (ignored).
  A `V` fix or a 0,0 position has no GPS lock (gps_fix False, coordinates kept as sent);
  a date of `000000` (clock not set) gives no time.
- Status bits → flags: 0 and 17 low battery, 1 and 18 left a fence, 2 and 19 entered a
  fence, 16 SOS, 20 taken off, 21 and 22 fall. Other bits are ignored.
- Acknowledgements, health readings, voice and configuration messages (`TKQ`, `CONFIG`,
  `UPLOAD`, `CR`, `PULSE`, `BPHRT`, `TK`, …, see `IGNORED`) → no report; any other type
  is malformed.
"""
from __future__ import annotations

import datetime as dt
import math
import string

from iot.formats.base import (
    ALARM,
    ENTERED_FENCE,
    FALL,
    HEARTBEAT,
    LEFT_FENCE,
    LOW_BATTERY,
    POSITION,
    REMOVED,
    SOS,
    MalformedMessage,
    Report,
    register,
)

FORMAT = "watch3g"

POSITION_TYPES = frozenset({"UD", "UD2", "UD3", "UD_LTE", "UD_WCDMA"})
ALARM_TYPES = frozenset({"AL", "AL_LTE", "AL_WCDMA"})
# Types that carry nothing for us: replies to server commands, health readings, voice,
# pictures, time and weather requests, configuration.
IGNORED = frozenset({
    "TKQ", "TKQ2", "TK", "TK2", "TKX", "CONFIG", "UPLOAD", "CR", "PULSE", "BPHRT", "HEART", "BLOOD", "HRTSTART",
    "TEMP", "BTEMP2", "OXYGEN", "IMG", "MESSAGE", "FIND", "FLOWER", "REMIND", "VERNO", "RESET", "POWEROFF",
    "FACTORY", "LZ", "IP", "PW", "CALL", "MONITOR", "CENTER", "SLAVE", "SOS", "SOS1", "SOS2", "SOS3", "SOSSMS",
    "LOWBAT", "REMOVE", "REMOVESMS", "PEDO", "WALKTIME", "SLEEPTIME", "SILENCETIME", "SILENCETIME2", "PHB",
    "PHB2", "PHL", "PHBX", "DPHBX", "SMSONOFF", "FALLDOWN", "LSSET", "WORK", "WORKTIME", "BT", "ICCID", "IMSI",
    "PROFILE", "TIME", "WT", "WAD", "WG", "RYIMGUP", "APPANDFNREPORT", "SPEED", "WEATHER",
})

# status bit → flag
STATUS_BITS: dict[int, str] = {
    0: LOW_BATTERY, 17: LOW_BATTERY,
    1: LEFT_FENCE, 18: LEFT_FENCE,
    2: ENTERED_FENCE, 19: ENTERED_FENCE,
    16: SOS,
    20: REMOVED,
    21: FALL, 22: FALL,
}
_STATUS_MASK = sum(1 << b for b in STATUS_BITS)
_FIELDS = 17  # type … status
_WHITESPACE = b" \t\r\n\x00"
_HEX = frozenset(string.hexdigits)


def status_flags(status: int) -> frozenset[str]:
    status &= _STATUS_MASK
    if not status:
        return frozenset()
    return frozenset(flag for bit, flag in STATUS_BITS.items() if status >> bit & 1)


def parse_frame(payload: bytes) -> tuple[str, str, bytes]:
    """(manufacturer, device id, content) of a frame, its length checked."""
    data = payload.strip(_WHITESPACE)
    if data[:1] != b"[" or data[-1:] != b"]":
        raise MalformedMessage("frame is not enclosed in [ ]")
    head = data[1:-1].split(b"*", 3)
    if len(head) != 4:
        raise MalformedMessage("frame is not [MF*DEVICEID*LEN*CONTENT]")
    mf, device, length, content = head
    if len(mf) != 2 or not mf.isalnum():
        raise MalformedMessage(f"manufacturer code {mf.decode('latin-1')!r} is not two letters or digits")
    if not device or not device.isalnum():
        raise MalformedMessage(f"device id {device.decode('latin-1')!r} in the frame is not letters and digits")
    if len(length) != 4 or not _is_hex(length.decode("latin-1")):
        raise MalformedMessage(f"length field {length.decode('latin-1')!r} is not four hex digits")
    declared = int(length, 16)
    if declared != len(content):
        raise MalformedMessage(f"declared length {declared}, content length {len(content)}")
    return mf.decode("ascii"), device.decode("ascii"), content


def _int(value: str, name: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise MalformedMessage(f"{name} {value!r} is not an integer") from None


def _is_hex(text: str) -> bool:
    return bool(text) and all(c in _HEX for c in text)  # int(x, 16) would also take "-1", "0x1f", "1_0"


def _float(value: str, name: str) -> float | None:
    if not value:
        return None
    try:
        x = float(value)
    except ValueError:
        x = math.nan
    if not math.isfinite(x):
        raise MalformedMessage(f"{name} {value!r} is not a number")
    return x


def _time(date: str, time: str) -> dt.datetime | None:
    if date == "000000":
        return None
    try:
        if len(date) != 6 or len(time) != 6 or not (date.isdigit() and time.isdigit()):
            raise ValueError
        return dt.datetime(2000 + int(date[4:]), int(date[2:4]), int(date[:2]),
                           int(time[:2]), int(time[2:4]), int(time[4:]), tzinfo=dt.UTC)
    except ValueError:
        raise MalformedMessage(f"date/time {date!r} {time!r} is not ddmmyy hhmmss") from None


def _coordinate(value: str, hemisphere: str, name: str, negative: str, positive: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise MalformedMessage(f"{name} {value!r} is not a number") from None
    if not math.isfinite(x):
        raise MalformedMessage(f"{name} {value!r} is not a number")
    if hemisphere == negative:
        return -abs(x)
    if hemisphere == positive or not hemisphere:  # some watches leave it empty
        return x
    raise MalformedMessage(f"{name} hemisphere {hemisphere!r} is not {positive} or {negative}")


def _located(device_id: str, kind: str, mtype: str, content: str) -> Report:
    f = content.split(",", _FIELDS)
    if len(f) < _FIELDS:
        raise MalformedMessage(f"{mtype} has {len(f) - 1} fields, expected at least {_FIELDS - 1} (date … status)")
    validity = f[3]
    if validity != "A" and validity != "V":
        raise MalformedMessage(f"GPS validity {validity!r} is not A or V")
    lat = _coordinate(f[4], f[5], "latitude", "S", "N")
    lon = _coordinate(f[6], f[7], "longitude", "W", "E")
    status = f[16]
    if not (len(status) <= 8 and _is_hex(status)):
        raise MalformedMessage(f"status {status!r} is not a hex word")
    word = int(status, 16)
    return Report(
        device_id=device_id, kind=kind, format=FORMAT, time=_time(f[1], f[2]), lat=lat, lon=lon,
        gps_fix=validity == "A" and not (lat == 0 and lon == 0),
        speed_kmh=_float(f[8], "speed"), course=_float(f[9], "course"), altitude_m=_float(f[10], "altitude"),
        satellites=_int(f[11], "satellites"), signal=_int(f[12], "GSM signal"), battery=_int(f[13], "battery"),
        steps=_int(f[14], "steps"), flags=status_flags(word), message_type=mtype)


def decode(parts: list[str], payload: bytes) -> list[Report]:
    """Reports in one ``watch/<device_id>/up`` message (one frame)."""
    if parts[2] != "up" or not parts[1]:
        raise MalformedMessage(f"topic {'/'.join(parts)!r} is not watch/<device_id>/up")
    device_id = parts[1]
    _mf, frame_device, raw = parse_frame(payload)
    if frame_device != device_id:
        raise MalformedMessage(f"device id {frame_device!r} in the payload does not match topic device {device_id!r}")
    # Only the leading fields are read; the rest (Wi-Fi names, voice) may be any bytes.
    content = raw.decode("latin-1")
    comma = content.find(",")
    mtype = (content if comma < 0 else content[:comma]).upper()
    if mtype in POSITION_TYPES:
        return [_located(device_id, POSITION, mtype, content)]
    if mtype in ALARM_TYPES:
        return [_located(device_id, ALARM, mtype, content)]
    if mtype == "LK":
        f = content.split(",", 4)
        return [Report(
            device_id=device_id, kind=HEARTBEAT, format=FORMAT,
            steps=_int(f[1], "steps") if len(f) > 1 else None,
            battery=_int(f[3], "battery") if len(f) > 3 else None, message_type=mtype)]
    if mtype in IGNORED:
        return []
    raise MalformedMessage(f"unknown message type {mtype[:20]!r}")


register("watch", 3, decode)
