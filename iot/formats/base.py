"""What every format decodes to, and the dispatch by topic."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from iot.formats.reasons import Reason

# What a device can report besides a position (device-side flags, not our alerts: the
# ingester decides which become alerts).
SOS, FALL, LOW_BATTERY, LEFT_FENCE, ENTERED_FENCE, REMOVED = (
    "sos", "fall", "low_battery", "left_fence", "entered_fence", "removed")
FLAGS = frozenset({SOS, FALL, LOW_BATTERY, LEFT_FENCE, ENTERED_FENCE, REMOVED})

# Kinds of report
POSITION, HEARTBEAT, ALARM, OFFLINE, TRANSITION = "position", "heartbeat", "alarm", "offline", "transition"


class MalformedMessage(ValueError):
    """A message that cannot be decoded: ``code`` (iot.formats.reasons.Reason) is why,
    kept in quarantine and shown by its label; ``str(error)`` the detail beside it.

    ``reports`` are what could be read of it all the same (a payload of several 3G-watch
    frames, one of them unreadable): they are ingested, and the message is quarantined."""

    def __init__(self, reason: str, reports: list[Report] | None = None, *, code: str = Reason.SHAPE) -> None:
        super().__init__(reason)
        self.reports = reports or []
        self.code = code


@dataclass(frozen=True)
class Report:
    """One thing a terminal said, whatever the format.

    ``time`` is the device's own time of the fix or event (UTC, aware), None when the
    message carries none. ``lat``/``lon`` are WGS84 degrees as the device sent them;
    ``gps_fix`` is False when the device says it has no lock (3G "V", no coordinates,
    or 0,0) — such positions are kept but never drawn. ``flags`` are device-side alarm
    flags (SOS, fall, …)."""

    device_id: str
    kind: str                       # POSITION, HEARTBEAT, ALARM, OFFLINE, TRANSITION
    format: str                     # "native", "owntracks", "watch3g"
    time: dt.datetime | None = None
    lat: float | None = None
    lon: float | None = None
    gps_fix: bool = False
    accuracy_m: float | None = None
    speed_kmh: float | None = None
    course: float | None = None
    altitude_m: float | None = None
    satellites: int | None = None
    battery: int | None = None      # percent
    signal: int | None = None       # GSM signal, 0–100 (or the device's scale)
    steps: int | None = None
    flags: frozenset[str] = field(default_factory=frozenset)
    message_type: str = ""          # the format's own type: "UD", "AL", "LK", "location", …

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lon is not None


Decoder = Callable[[list[str], bytes], list[Report]]
_DECODERS: list[tuple[str, int, Decoder]] = []  # (first topic level, number of levels, decoder)


def register(first_level: str, levels: int, decoder: Decoder) -> None:
    _DECODERS.append((first_level, levels, decoder))


def format_for_topic(topic: str) -> Decoder | None:
    parts = topic.split("/")
    for first, levels, decoder in _DECODERS:
        if parts[0] == first and len(parts) == levels:
            return decoder
    return None


def decode(topic: str, payload: bytes) -> list[Report]:
    """Reports in a message; MalformedMessage with the reason when it cannot be read."""
    from iot.formats import native, owntracks, watch3g  # noqa: F401  (they register themselves)

    decoder = format_for_topic(topic)
    if decoder is None:
        raise MalformedMessage(f"unknown topic {topic!r}", code=Reason.TOPIC)
    return decoder(topic.split("/"), payload)
