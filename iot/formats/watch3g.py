""""3G watch" text frames (`watch3g`), the protocol of most Chinese elderly and children's
watches, forwarded verbatim by a gateway on `watch/<device_id>/up`.

A frame is `[MF*DEVICEID*LEN*CONTENT]` or, from some vendors, `[MF*DEVICEID*INDEX*LEN*CONTENT]`
(INDEX a message number, four hex digits). MF is two uppercase letters or digits (3G, SG,
ZJ, CS, …). LEN is four hex digits in either case, but vendors count CONTENT differently
(bytes or characters, with or without separators), so its value is not checked — only its
form, as the leading open-source tracking server does. CONTENT is comma-separated with the
message type first. One payload may hold several frames, as a gateway forwards what it read
from the watch's TCP stream: they are split on balanced brackets (a Wi-Fi name such as
`[LG A/C]` stays inside its frame; binary content is escaped with `}` 0x01–0x05, so it
holds no bracket), falling back on the declared length where the brackets do not balance.
Whitespace and NULs around and between frames are tolerated.

- `LK` or `LK,steps,rolls,battery` → HEARTBEAT.
- `UD…` (position; `UD2` a buffered "blind area" position sent late, `UD3`, `UD_LTE`,
  `UD_WCDMA` network variants) and `WT` with position fields → POSITION; `AL…` (`AL`,
  `AL_LTE`, `AL_WCDMA`, vendor variants such as `ALCUSTOMER1`) → ALARM. They carry: date
  ddmmyy, time hhmmss (UTC), A|V (GPS fix or not), latitude (decimal degrees), N|S,
  longitude, E|W, speed km/h, course, altitude m, satellites, GSM signal (0–100), battery %,
  steps, rolls, status (hex, 32 bits), then base stations and Wi-Fi (ignored). A signed
  coordinate keeps its sign unless its hemisphere is S or W; an empty hemisphere is N or E.
  A `V` fix or a 0,0 position has no GPS lock (gps_fix False, coordinates kept as sent);
  a date of `000000` (clock not set) gives no time.
- Status bits → flags: 0 and 17 low battery, 1 and 18 left a fence, 2 and 19 entered a
  fence, 16 SOS, 20 taken off, 21 and 22 fall. Other bits are ignored.
- Acknowledgements, health readings, voice, pictures and configuration messages (`TKQ`,
  `CONFIG`, `UPLOAD`, `CR`, `PULSE`, `BPHRT`, `TK` audio, …, see `IGNORED`) → no report;
  any other type is malformed. Types are read case-insensitively (`ud2`, `bphrt`).

A frame that cannot be read is malformed with the reason; in a payload of several frames
the others are still decoded (``MalformedMessage.reports``), and the reason names the frame.
"""
from __future__ import annotations

import datetime as dt
import math
import re

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
from iot.formats.reasons import Reason

FORMAT = "watch3g"

# Types that carry nothing for us: replies to server commands, health readings, voice,
# pictures, time and weather requests, configuration.
IGNORED = frozenset({
    "TKQ", "TKQ2", "TK", "TK2", "TKX", "JXTK", "CONFIG", "UPLOAD", "CR", "PULSE", "BPHRT", "HEART", "BLOOD",
    "HRTSTART", "TEMP", "BTEMP2", "OXYGEN", "IMG", "RCAPTURE", "INIT", "MESSAGE", "FIND", "FLOWER", "REMIND",
    "VERNO", "RESET", "POWEROFF", "FACTORY", "LZ", "IP", "PW", "CALL", "MONITOR", "CENTER", "SLAVE", "SOS", "SOS1",
    "SOS2", "SOS3", "SOSSMS", "LOWBAT", "REMOVE", "REMOVESMS", "PEDO", "WALKTIME", "SLEEPTIME", "SILENCETIME",
    "SILENCETIME2", "PHB", "PHB2", "PHL", "PHBX", "DPHBX", "SMSONOFF", "FALLDOWN", "LSSET", "WORK", "WORKTIME", "BT",
    "ICCID", "IMSI", "PROFILE", "TIME", "WT", "WAD", "WG", "RYIMGUP", "APPANDFNREPORT", "SPEED", "WEATHER",
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
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_MF_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_BRACKET = re.compile(rb"[\[\]]")
_NOT_ENCLOSED = "frame is not enclosed in [ ]"


def status_flags(status: int) -> frozenset[str]:
    status &= _STATUS_MASK
    if not status:
        return frozenset()
    return frozenset(flag for bit, flag in STATUS_BITS.items() if status >> bit & 1)


# --- frames -----------------------------------------------------------------------------

def frames_split(payload: bytes) -> tuple[list[bytes], str | None]:
    """The frames of a payload, each without its brackets, and why what follows the
    last of them is not a frame (None when nothing does)."""
    data = payload.strip(_WHITESPACE)
    if data[:1] == b"[" and data[-1:] == b"]" and data.count(b"[") == 1:
        return [data[1:-1]], None  # one frame: the common case, kept cheap
    frames: list[bytes] = []
    start, n = 0, len(data)
    while start < n:
        if data[start] != 0x5B or data.find(b"]", start) < 0:  # "["
            return frames, _NOT_ENCLOSED
        end = _frame_end(data, start)
        if end < 0:
            return frames, "the frame's brackets do not balance and its declared length does not end it"
        frames.append(data[start + 1:end])
        start = _skip_whitespace(data, end + 1)
    if not frames:
        return frames, _NOT_ENCLOSED
    return frames, None


def _skip_whitespace(data: bytes, pos: int) -> int:
    while pos < len(data) and data[pos] in _WHITESPACE:
        pos += 1
    return pos


def _frame_end(data: bytes, start: int) -> int:
    """Where the frame opened at ``start`` closes (its ``]``), or -1: where its brackets
    balance, if the payload ends or another frame opens after that; else where its declared
    length ends, on the same condition (content with stray brackets); else where its
    brackets balance (what follows is then not a frame)."""
    depth, balanced = 0, -1
    for bracket in _BRACKET.finditer(data, start):
        depth += 1 if bracket[0] == b"[" else -1
        if depth == 0:
            balanced = bracket.start()
            break
    if balanced >= 0 and _frame_follows(data, balanced):
        return balanced
    rest = data[start + 1:]
    try:
        _mf, _device, _index, length, content = split_header(rest)
    except MalformedMessage:
        return balanced
    declared = start + 1 + len(rest) - len(content) + int(length, 16)
    if data[declared:declared + 1] == b"]" and _frame_follows(data, declared):
        return declared
    return balanced


def _frame_follows(data: bytes, end: int) -> bool:
    """Whether the payload ends, or another frame opens, after the ``]`` at ``end``."""
    after = _skip_whitespace(data, end + 1)
    return after == len(data) or data[after] == 0x5B


def split_header(frame: bytes) -> tuple[str, str, str | None, bytes, bytes]:
    """(manufacturer, device id, index or None, length field, content) of a frame without
    its brackets; the length field's form is checked, not its value."""
    head = frame.split(b"*", 3)
    if len(head) != 4:
        raise MalformedMessage("frame is not [MF*DEVICEID*LEN*CONTENT]", code=Reason.BAD_FRAME)
    mf, device, length, content = head
    index = None
    # `INDEX*LEN*`: four hex digits, then four more and a star
    if content[4:5] == b"*" and len(length) == 4 and _is_hex(length) and _is_hex(content[:4]):
        index, length, content = length.decode("ascii"), content[:4], content[5:]
    if len(mf) != 2 or mf.translate(None, _MF_CHARS):
        raise MalformedMessage(
            f"manufacturer code {mf.decode('latin-1')!r} is not two letters or digits (uppercase)", code=Reason.BAD_FRAME)
    if not device or not device.isalnum():
        raise MalformedMessage(f"device id {device.decode('latin-1')!r} in the frame is not letters and digits", code=Reason.BAD_FRAME)
    if len(length) != 4 or not _is_hex(length):
        raise MalformedMessage(f"length field {length.decode('latin-1')!r} is not four hex digits", code=Reason.BAD_FRAME)
    return mf.decode("ascii"), device.decode("ascii"), index, length, content


def _is_hex(text: bytes) -> bool:
    return bool(text) and not text.translate(None, _HEX_DIGITS)  # int(x, 16) would also take "-1", "0x1f", "1_0"


# --- fields -----------------------------------------------------------------------------

def _int(value: str, name: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise MalformedMessage(f"{name} {value!r} is not an integer", code=Reason.BAD_VALUE) from None


def _float(value: str, name: str) -> float | None:
    if not value:
        return None
    try:
        x = float(value)
    except ValueError:
        x = math.nan
    if not math.isfinite(x):
        raise MalformedMessage(f"{name} {value!r} is not a number", code=Reason.BAD_VALUE)
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
        raise MalformedMessage(f"date/time {date!r} {time!r} is not ddmmyy hhmmss", code=Reason.BAD_TIME) from None


def _coordinate(value: str, hemisphere: str, name: str, negative: str, positive: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise MalformedMessage(f"{name} {value!r} is not a number", code=Reason.BAD_VALUE) from None
    if not math.isfinite(x):
        raise MalformedMessage(f"{name} {value!r} is not a number", code=Reason.BAD_VALUE)
    if hemisphere == negative:
        return -abs(x)
    if hemisphere == positive or not hemisphere:  # some watches leave it empty
        return x
    raise MalformedMessage(f"{name} hemisphere {hemisphere!r} is not {positive} or {negative}", code=Reason.BAD_VALUE)


def _located(device_id: str, kind: str, mtype: str, content: str) -> Report:
    f = content.split(",", _FIELDS)
    if len(f) < _FIELDS:
        raise MalformedMessage(f"{mtype} has {len(f) - 1} fields, expected at least {_FIELDS - 1} (date … status)", code=Reason.BAD_FRAME)
    validity = f[3]
    if validity != "A" and validity != "V":
        raise MalformedMessage(f"GPS validity {validity!r} is not A or V", code=Reason.BAD_VALUE)
    lat = _coordinate(f[4], f[5], "latitude", "S", "N")
    lon = _coordinate(f[6], f[7], "longitude", "W", "E")
    status = f[16]
    if not (len(status) <= 8 and _is_hex(status.encode("latin-1"))):
        raise MalformedMessage(f"status {status!r} is not a hex word", code=Reason.BAD_VALUE)
    word = int(status, 16)
    return Report(
        device_id=device_id, kind=kind, format=FORMAT, time=_time(f[1], f[2]), lat=lat, lon=lon,
        gps_fix=validity == "A" and not (lat == 0 and lon == 0),
        speed_kmh=_float(f[8], "speed"), course=_float(f[9], "course"), altitude_m=_float(f[10], "altitude"),
        satellites=_int(f[11], "satellites"), signal=_int(f[12], "GSM signal"), battery=_int(f[13], "battery"),
        steps=_int(f[14], "steps"), flags=status_flags(word), message_type=mtype)


# --- messages ---------------------------------------------------------------------------

def frame_decode(frame: bytes, device_id: str) -> list[Report]:
    """Reports in one frame (without its brackets) from the device ``device_id``."""
    _mf, frame_device, _index, _length, raw = split_header(frame)
    if frame_device != device_id:
        raise MalformedMessage(f"device id {frame_device!r} in the payload does not match topic device {device_id!r}", code=Reason.DEVICE_MISMATCH)
    # Only the leading fields are read; the rest (Wi-Fi names, voice) may be any bytes.
    comma = raw.find(b",")
    mtype = (raw if comma < 0 else raw[:comma]).decode("latin-1").upper()
    if mtype.startswith("UD"):
        return [_located(device_id, POSITION, mtype, raw.decode("latin-1"))]
    if mtype.startswith("AL"):
        return [_located(device_id, ALARM, mtype, raw.decode("latin-1"))]
    if mtype == "LK":
        f = raw.decode("latin-1").split(",", 4)
        return [Report(
            device_id=device_id, kind=HEARTBEAT, format=FORMAT,
            steps=_int(f[1], "steps") if len(f) > 1 else None,
            battery=_int(f[3], "battery") if len(f) > 3 else None, message_type=mtype)]
    if mtype == "WT" and raw.count(b",", 0, 200) >= _FIELDS - 1:  # WT with position fields; else a reply
        return [_located(device_id, POSITION, mtype, raw.decode("latin-1"))]
    if mtype in IGNORED:
        return []
    raise MalformedMessage(f"unknown message type {mtype[:20]!r}", code=Reason.UNKNOWN_TYPE)


def decode(parts: list[str], payload: bytes) -> list[Report]:
    """Reports in one ``watch/<device_id>/up`` message (one frame or several)."""
    if parts[2] != "up" or not parts[1]:
        raise MalformedMessage(f"topic {'/'.join(parts)!r} is not watch/<device_id>/up", code=Reason.TOPIC)
    device_id = parts[1]
    frames, rest = frames_split(payload)
    if len(frames) == 1 and rest is None:
        return frame_decode(frames[0], device_id)
    reports: list[Report] = []
    errors: list[str] = []
    codes: list[str] = []  # the first unreadable frame's reason is the message's
    for number, frame in enumerate(frames, 1):
        try:
            reports += frame_decode(frame, device_id)
        except MalformedMessage as exc:
            errors.append(f"frame {number}: {exc}")
            codes.append(exc.code)
    if rest is not None:
        errors.append(f"after frame {len(frames)}: {rest}" if frames else rest)
        codes.append(Reason.BAD_FRAME)
    if errors:
        raise MalformedMessage("; ".join(errors), reports, code=codes[0])
    return reports


register("watch", 3, decode)
