"""Unit tests for the MQTT message decoders in ``iot.formats`` (native JSON, OwnTracks, 3G watch
frames) and the encoders in ``iot.formats.encode``: pure functions, no database or broker.

Every decoded report is compared field by field with the exact expected ``Report``; every
rejection checks the reason ``MalformedMessage`` carries (it is what quarantine keeps).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import pytest

from iot.formats import MalformedMessage, Report, decode, encode
from iot.formats.base import (
    ALARM,
    ENTERED_FENCE,
    FALL,
    HEARTBEAT,
    LEFT_FENCE,
    LOW_BATTERY,
    OFFLINE,
    POSITION,
    REMOVED,
    SOS,
    TRANSITION,
)

UTC = dt.UTC
T = dt.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
T_EPOCH = 1795420800  # T in epoch seconds


# --- helpers ----------------------------------------------------------------------------

def decoded(topic: str, payload: bytes) -> list[Report]:
    """``decode`` plus the invariant that every time is an aware UTC datetime."""
    reports = decode(topic, payload)
    for report in reports:
        assert report.time is None or report.time.tzinfo is UTC, report.time
    return reports


def only(topic: str, payload: bytes) -> Report:
    reports = decoded(topic, payload)
    assert len(reports) == 1, reports
    return reports[0]


def assert_rejected(topic: str, payload: bytes, reason: str) -> None:
    """The message is malformed and its reason contains ``reason`` (literally)."""
    with pytest.raises(MalformedMessage, match=re.escape(reason)):
        decode(topic, payload)


def as_json(obj) -> bytes:
    return json.dumps(obj).encode()


def flags(*names: str) -> frozenset[str]:
    return frozenset(names)


@pytest.mark.parametrize("topic", ["foo/W1/up", "eldercare/W1", "eldercare/W1/up/more", "owntracks/alice",
                                   "watch/W1/up/x", ""])
def test_unknown_topic(topic):
    assert_rejected(topic, b"{}", f"unknown topic {topic!r}")


# --- native -----------------------------------------------------------------------------

NATIVE_DEVICE = "W1"
NATIVE_TOPIC = f"eldercare/{NATIVE_DEVICE}/up"


def native_report(kind: str, message_type: str, **fields) -> Report:
    return Report(device_id=NATIVE_DEVICE, kind=kind, format="native", message_type=message_type, **fields)


def native_one(obj) -> Report:
    return only(NATIVE_TOPIC, as_json(obj))


def test_native_position_with_every_field():
    report = native_one({
        "type": "position", "ts": T_EPOCH, "dev": NATIVE_DEVICE, "lat": 25.04, "lon": 102.72, "acc": 12.5,
        "spd": 3.2, "crs": 180, "alt": 1900, "sat": 7, "batt": 81, "sig": 70, "steps": 1200,
        "fix": True, "firmware": "1.2.3", "note": None})  # unknown fields and nulls are ignored
    assert report == native_report(
        POSITION, "position", time=T, lat=25.04, lon=102.72, gps_fix=True, accuracy_m=12.5, speed_kmh=3.2,
        course=180.0, altitude_m=1900.0, satellites=7, battery=81, signal=70, steps=1200)
    assert report.has_position


def test_native_heartbeat_status_fields():
    report = native_one({"type": "heartbeat", "ts": T_EPOCH, "batt": 81.0, "sig": 70, "steps": 3456, "lat": None})
    assert report == native_report(HEARTBEAT, "heartbeat", time=T, battery=81, signal=70, steps=3456)
    assert type(report.battery) is int  # 81.0 is accepted as an integer
    assert not report.has_position


@pytest.mark.parametrize("mtype, flag", [("sos", SOS), ("fall", FALL), ("removed", REMOVED)])
@pytest.mark.parametrize("position", [None, {"lat": 25.04, "lon": 102.72, "acc": 30}], ids=["no-position", "position"])
def test_native_alarms(mtype, flag, position):
    report = native_one({"type": mtype, "ts": T_EPOCH, "batt": 55, **(position or {})})
    where = {} if position is None else {"lat": 25.04, "lon": 102.72, "gps_fix": True, "accuracy_m": 30.0}
    assert report == native_report(ALARM, mtype, time=T, battery=55, flags=flags(flag), **where)


@pytest.mark.parametrize("fields, kind, report_flags", [
    ({"batt": 5}, ALARM, flags(LOW_BATTERY)),
    ({"batt": 20}, ALARM, flags(LOW_BATTERY)),             # the threshold itself is low
    ({"batt": 21}, HEARTBEAT, flags()),
    ({"batt": 80}, HEARTBEAT, flags()),
    ({"batt": 80, "low": True}, ALARM, flags(LOW_BATTERY)),  # the terminal says so
    ({"batt": 80, "low": False}, HEARTBEAT, flags()),
    ({"batt": 15, "low": False}, ALARM, flags(LOW_BATTERY)),  # ≤ 20 % is low whatever it says
])
def test_native_battery_report(fields, kind, report_flags):
    report = native_one({"type": "battery", "ts": T_EPOCH, **fields})
    assert report == native_report(kind, "battery", time=T, battery=fields["batt"], flags=report_flags)


@pytest.mark.parametrize("ts, expected", [
    (T_EPOCH, T),
    (T_EPOCH + 0.25, T + dt.timedelta(milliseconds=250)),
    (float(T_EPOCH), T),
    ("2026-11-23T08:00:00Z", T),
    ("2026-11-23T16:00:00+08:00", T),
    ("2026-11-23T03:00:00-05:00", T),
    ("2026-11-23T08:00:00.500Z", T + dt.timedelta(milliseconds=500)),
    (None, None),
], ids=["epoch-int", "epoch-fraction", "epoch-float", "iso-Z", "iso-+08:00", "iso--05:00", "iso-fraction", "null"])
def test_native_time(ts, expected):
    assert native_one({"type": "heartbeat", "ts": ts}).time == expected


def test_native_time_absent():
    assert native_one({"type": "heartbeat"}).time is None


@pytest.mark.parametrize("fields, gps_fix", [
    ({"lat": 25.04, "lon": 102.72}, True),
    ({"lat": 25.04, "lon": 102.72, "fix": True}, True),
    ({"lat": 25.04, "lon": 102.72, "fix": False}, False),  # cell / Wi-Fi position: kept, not a fix
    ({"lat": 0, "lon": 0}, False),
    ({"lat": 0.0, "lon": 0.0, "fix": True}, False),        # 0,0 is never a fix
    ({"lat": 0, "lon": 102.72}, True),                     # only both zero counts
    ({"lat": 95.0, "lon": 200.0}, True),                   # out of range: accepted, the ingester flags it
])
def test_native_gps_fix(fields, gps_fix):
    report = native_one({"type": "position", **fields})
    assert (report.lat, report.lon, report.gps_fix) == (float(fields["lat"]), float(fields["lon"]), gps_fix)


def test_native_array_upload_keeps_order():
    payload = as_json([
        {"type": "position", "ts": T_EPOCH, "lat": 25.01, "lon": 102.71},
        {"type": "heartbeat", "ts": T_EPOCH + 60, "batt": 70},
        {"type": "sos", "ts": "2026-11-23T08:02:00Z", "lat": 25.03, "lon": 102.73, "fix": False},
    ])
    assert decoded(NATIVE_TOPIC, payload) == [
        native_report(POSITION, "position", time=T, lat=25.01, lon=102.71, gps_fix=True),
        native_report(HEARTBEAT, "heartbeat", time=T + dt.timedelta(minutes=1), battery=70),
        native_report(ALARM, "sos", time=T + dt.timedelta(minutes=2), lat=25.03, lon=102.73, flags=flags(SOS)),
    ]


def test_native_empty_array_has_no_reports():
    assert decoded(NATIVE_TOPIC, b"[]") == []


@pytest.mark.parametrize("payload, reason", [
    pytest.param(b'{"type":"heartbeat","x":"\xff"}', "payload is not valid UTF-8 (byte 25)", id="bad-utf8"),
    pytest.param(b'{"type": "heartbeat",}', "payload is not valid JSON: Expecting property name", id="bad-json"),
    pytest.param(b"", "payload is not valid JSON: Expecting value at line 1 column 1", id="empty"),
    pytest.param(b'{"type":"position","lat":NaN,"lon":1}', "NaN is not a number JSON allows", id="nan"),
    pytest.param(b'{"type":"position","lat":1,"lon":-Infinity}', "-Infinity is not a number JSON allows", id="inf"),
    pytest.param(b'{"type":"position","lat":1e400,"lon":1}', "field 'lat' must be a number, got inf", id="overflow"),
    pytest.param(b"42", "payload must be a JSON object or an array of objects, got int", id="scalar"),
])
def test_native_unreadable_payload(payload, reason):
    assert_rejected(NATIVE_TOPIC, payload, reason)


@pytest.mark.parametrize("obj, reason", [
    pytest.param({"ts": T_EPOCH}, "missing field 'type'", id="missing-type"),
    pytest.param({"type": "teleport"}, "unknown message type 'teleport'", id="unknown-type"),
    pytest.param({"type": ["sos"]}, "unknown message type ['sos']", id="type-not-string"),
    pytest.param({"type": "position", "lon": 102.72}, "missing field 'lat'", id="position-without-lat"),
    pytest.param({"type": "heartbeat", "lat": 25.04}, "field 'lat' without 'lon'", id="lat-without-lon"),
    pytest.param({"type": "sos", "lon": 102.72}, "field 'lon' without 'lat'", id="lon-without-lat"),
    pytest.param({"type": "position", "lat": "25.04", "lon": 102.72},
                 "field 'lat' must be a number, got '25.04'", id="string-for-number"),
    pytest.param({"type": "position", "lat": True, "lon": 102.72},
                 "field 'lat' must be a number, got True", id="bool-for-number"),
    pytest.param({"type": "heartbeat", "batt": "81"}, "field 'batt' must be an integer, got '81'", id="string-for-int"),
    pytest.param({"type": "heartbeat", "sat": 7.5}, "field 'sat' must be an integer, got 7.5", id="fraction-for-int"),
    pytest.param({"type": "heartbeat", "lat": 1, "lon": 2, "fix": "no"},
                 "field 'fix' must be true or false, got 'no'", id="bad-fix"),
    pytest.param({"type": "battery"}, "missing field 'batt'", id="battery-without-batt"),
    pytest.param({"type": "heartbeat", "ts": T_EPOCH * 1000},
                 f"field 'ts' {T_EPOCH * 1000} is not a time in epoch seconds (milliseconds instead of seconds?)",
                 id="ts-milliseconds"),
    pytest.param({"type": "heartbeat", "ts": -1}, "field 'ts' -1 is not a time in epoch seconds", id="ts-negative"),
    pytest.param({"type": "heartbeat", "ts": "2026-11-23T08:00:00"},
                 "field 'ts' '2026-11-23T08:00:00' has no time zone (add Z or an offset such as +08:00)",
                 id="iso-without-zone"),
    pytest.param({"type": "heartbeat", "ts": "yesterday"}, "field 'ts' 'yesterday' is not an ISO 8601 time",
                 id="ts-not-iso"),
    pytest.param({"type": "heartbeat", "ts": True},
                 "field 'ts' must be epoch seconds or an ISO 8601 string, got True", id="ts-bool"),
    pytest.param({"type": "heartbeat", "dev": "W2"},
                 "device id 'W2' in the payload does not match topic device 'W1'", id="dev-mismatch"),
    pytest.param([{"type": "heartbeat"}, {"type": "heartbeat", "lat": 25.04}],
                 "item 1: field 'lat' without 'lon'", id="array-bad-item"),
    pytest.param([{"type": "heartbeat"}, "sos"], "item 1: a message must be a JSON object, got str",
                 id="array-non-object"),
])
def test_native_malformed(obj, reason):
    assert_rejected(NATIVE_TOPIC, as_json(obj), reason)


@pytest.mark.parametrize("topic", ["eldercare/W1/down", "eldercare//up"])
def test_native_wrong_topic_shape(topic):
    assert_rejected(topic, as_json({"type": "heartbeat"}), f"topic {topic!r} is not eldercare/<device_id>/up")


# --- OwnTracks --------------------------------------------------------------------------

OT_DEVICE = "phone1"
OT_TOPIC = f"owntracks/alice/{OT_DEVICE}"


def ot_report(kind: str, message_type: str, **fields) -> Report:
    return Report(device_id=OT_DEVICE, kind=kind, format="owntracks", message_type=message_type, **fields)


def test_owntracks_location():
    report = only(OT_TOPIC, as_json({
        "_type": "location", "tid": "p1", "tst": T_EPOCH, "lat": 25.04, "lon": 102.72, "acc": 12, "alt": 1900,
        "batt": 81, "vel": 5, "cog": 90, "conn": "w", "t": "u", "bs": 1, "inregions": ["home"],
        "topic": OT_TOPIC}))  # Android names its own topic: same device, accepted
    assert report == ot_report(
        POSITION, "location", time=T, lat=25.04, lon=102.72, gps_fix=True, accuracy_m=12.0, speed_kmh=5.0,
        course=90.0, altitude_m=1900.0, battery=81)


def test_owntracks_location_numeric_strings():
    report = only(OT_TOPIC, as_json({
        "_type": "location", "tst": str(T_EPOCH), "lat": "25.04", "lon": "102.72", "acc": "12.5", "batt": "81",
        "vel": "5", "cog": "90.5", "alt": "1900"}))
    assert report == ot_report(
        POSITION, "location", time=T, lat=25.04, lon=102.72, gps_fix=True, accuracy_m=12.5, speed_kmh=5.0,
        course=90.5, altitude_m=1900.0, battery=81)


def test_owntracks_location_at_zero_zero_has_no_fix():
    report = only(OT_TOPIC, as_json({"_type": "location", "tst": T_EPOCH, "lat": 0, "lon": 0}))
    assert report == ot_report(POSITION, "location", time=T, lat=0.0, lon=0.0, gps_fix=False)


@pytest.mark.parametrize("event, flag", [("enter", ENTERED_FENCE), ("leave", LEFT_FENCE)])
@pytest.mark.parametrize("position", [None, {"lat": 25.04, "lon": 102.72, "acc": 20}], ids=["no-position", "position"])
def test_owntracks_transition(event, flag, position):
    report = only(OT_TOPIC + "/event", as_json({
        "_type": "transition", "tst": T_EPOCH, "event": event, "desc": "Home", "rid": "r1", "t": "c",
        **(position or {})}))
    where = {} if position is None else {"lat": 25.04, "lon": 102.72, "gps_fix": True, "accuracy_m": 20.0}
    assert report == ot_report(TRANSITION, "transition", time=T, flags=flags(flag), **where)


@pytest.mark.parametrize("tst", [T_EPOCH - 3600, None])
def test_owntracks_lwt_is_offline_without_time(tst):
    obj = {"_type": "lwt"} if tst is None else {"_type": "lwt", "tst": tst}
    assert only(OT_TOPIC, as_json(obj)) == ot_report(OFFLINE, "lwt")  # tst is the connection time: not kept


@pytest.mark.parametrize("topic, obj", [
    (OT_TOPIC + "/waypoint", {"_type": "waypoint", "tst": T_EPOCH, "lat": 25.0, "lon": 102.7, "rad": 50}),
    (OT_TOPIC + "/cmd", {"_type": "cmd", "action": "reportLocation"}),
    (OT_TOPIC, {"_type": "card", "name": "Alice"}),
    (OT_TOPIC + "/status", {"_type": "status", "topic": "owntracks/alice/other"}),  # ignored before any check
    (OT_TOPIC, {"_type": "encrypted", "data": "..."}),
])
def test_owntracks_ignored_types(topic, obj):
    assert decoded(topic, as_json(obj)) == []


@pytest.mark.parametrize("topic, obj, reason", [
    pytest.param(OT_TOPIC, {"tst": T_EPOCH, "lat": 1, "lon": 2}, "missing field '_type'", id="missing-_type"),
    pytest.param(OT_TOPIC, {"_type": 5}, "field '_type' must be a string, got 5", id="_type-not-string"),
    pytest.param(OT_TOPIC, {"_type": "location", "tst": T_EPOCH, "lat": 1, "lon": 2,
                            "topic": "owntracks/alice/phone2"},
                 "device id 'phone2' in the payload does not match topic device 'phone1'", id="payload-topic-device"),
    pytest.param(OT_TOPIC, {"_type": "location", "lat": 1, "lon": 2}, "missing field 'tst'", id="location-no-tst"),
    pytest.param(OT_TOPIC, {"_type": "location", "tst": T_EPOCH, "lat": 1}, "missing field 'lon'",
                 id="location-no-lon"),
    pytest.param(OT_TOPIC, {"_type": "location", "tst": T_EPOCH, "lat": "north", "lon": 2},
                 "field 'lat' must be a number, got 'north'", id="location-bad-lat"),
    pytest.param(OT_TOPIC, {"_type": "location", "tst": T_EPOCH * 1000, "lat": 1, "lon": 2},
                 "(milliseconds instead of seconds?)", id="tst-milliseconds"),
    pytest.param(OT_TOPIC + "/event", {"_type": "transition", "tst": T_EPOCH}, "missing field 'event'",
                 id="transition-no-event"),
    pytest.param(OT_TOPIC + "/event", {"_type": "transition", "tst": T_EPOCH, "event": "cross"},
                 "field 'event' must be 'enter' or 'leave', got 'cross'", id="transition-bad-event"),
    pytest.param(OT_TOPIC + "/event", {"_type": "transition", "tst": T_EPOCH, "event": "enter", "lon": 2},
                 "field 'lon' without 'lat'", id="transition-lon-without-lat"),
    pytest.param(OT_TOPIC, ["location"], "payload must be a JSON object, got list", id="not-an-object"),
    pytest.param("owntracks/alice/", {"_type": "location"}, "topic 'owntracks/alice/' has no device", id="no-device"),
])
def test_owntracks_malformed(topic, obj, reason):
    assert_rejected(topic, as_json(obj), reason)


# --- 3G watch ---------------------------------------------------------------------------

WATCH_DEVICE = "8800000015"
WATCH_TOPIC = f"watch/{WATCH_DEVICE}/up"
WATCH_TIME = dt.datetime(2014, 4, 22, 13, 46, 52, tzinfo=UTC)  # 220414 134652

# The fields of a UD/AL frame after its type, in order (a real frame's values).
UD_FIELDS = {
    "date": "220414", "time": "134652", "fix": "A", "lat": "22.571707", "ns": "N", "lon": "113.8613968", "ew": "E",
    "speed": "0.1", "course": "0.0", "alt": "100", "sats": "7", "signal": "60", "battery": "90", "steps": "1000",
    "rolls": "50", "status": "00000000"}
UD_TAIL = "4,1,460,0,9360,4082,131,9360,4092,148"  # base stations: ignored


def frame(content: str, device: str = WATCH_DEVICE, mf: str = "3G") -> bytes:
    """``[MF*DEVICE*LEN*CONTENT]`` with the right LEN."""
    return f"[{mf}*{device}*{len(content.encode()):04X}*{content}]".encode()


def located(mtype: str = "UD", **changes: str) -> bytes:
    """A UD/AL frame: the real frame's fields with ``changes``."""
    return frame(",".join([mtype, *{**UD_FIELDS, **changes}.values(), UD_TAIL]))


def watch_report(kind: str, message_type: str, **changes) -> Report:
    """What ``located()`` decodes to, with ``changes``."""
    return dataclasses.replace(Report(
        device_id=WATCH_DEVICE, kind=kind, format="watch3g", time=WATCH_TIME, lat=22.571707, lon=113.8613968,
        gps_fix=True, speed_kmh=0.1, course=0.0, altitude_m=100.0, satellites=7, signal=60, battery=90, steps=1000,
        message_type=message_type), **changes)


def test_watch_real_world_ud_frame():
    payload = (b"[3G*8800000015*008F*UD,220414,134652,A,22.571707,N,113.8613968,E,0.1,0.0,100,7,60,90,1000,50,"
               b"0000,4,1,460,0,9360,4082,131,9360,4092,148,9360,4091,143,9360,4153,141]")
    assert only(WATCH_TOPIC, payload) == Report(
        device_id="8800000015", kind=POSITION, format="watch3g",
        time=dt.datetime(2014, 4, 22, 13, 46, 52, tzinfo=UTC), lat=22.571707, lon=113.8613968, gps_fix=True,
        speed_kmh=0.1, course=0.0, altitude_m=100.0, satellites=7, signal=60, battery=90, steps=1000,
        flags=frozenset(), message_type="UD")


@pytest.mark.parametrize("payload, steps, battery", [
    (b"[3G*8800000015*0002*LK]", None, None),
    (b"[3G*8800000015*000C*LK,5120,0,87]", 5120, 87),
    (b"\x00 [SG*8800000015*0002*LK]\r\n", None, None),  # whitespace/NULs around, another manufacturer
    (b"[3G*8800000015*0003*LK]", None, None),  # LEN counted otherwise: tolerated (tests/vectors/)
])
def test_watch_lk_heartbeat(payload, steps, battery):
    assert only(WATCH_TOPIC, payload) == Report(
        device_id=WATCH_DEVICE, kind=HEARTBEAT, format="watch3g", steps=steps, battery=battery, message_type="LK")


@pytest.mark.parametrize("validity, gps_fix", [("A", True), ("V", False)])
def test_watch_ud_validity(validity, gps_fix):
    assert only(WATCH_TOPIC, located(fix=validity)) == watch_report(POSITION, "UD", gps_fix=gps_fix)


@pytest.mark.parametrize("ns, ew, lat, lon", [
    ("S", "W", -22.571707, -113.8613968),
    ("N", "W", 22.571707, -113.8613968),
    ("S", "E", -22.571707, 113.8613968),
    ("", "", 22.571707, 113.8613968),  # some watches leave the hemisphere empty
])
def test_watch_hemispheres(ns, ew, lat, lon):
    assert only(WATCH_TOPIC, located(ns=ns, ew=ew)) == watch_report(POSITION, "UD", lat=lat, lon=lon)


def test_watch_zero_zero_has_no_fix():
    report = only(WATCH_TOPIC, located(lat="0.000000", lon="0.0000000"))
    assert report == watch_report(POSITION, "UD", lat=0.0, lon=0.0, gps_fix=False)


def test_watch_clock_not_set_gives_no_time():
    assert only(WATCH_TOPIC, located(date="000000", time="000000")) == watch_report(POSITION, "UD", time=None)


def test_watch_empty_optional_fields_are_none():
    report = only(WATCH_TOPIC, located(speed="", course="", alt="", sats="", signal="", battery="", steps=""))
    assert report == watch_report(POSITION, "UD", speed_kmh=None, course=None, altitude_m=None, satellites=None,
                                  signal=None, battery=None, steps=None)


@pytest.mark.parametrize("mtype, kind, message_type", [
    ("UD", POSITION, "UD"), ("UD2", POSITION, "UD2"), ("UD3", POSITION, "UD3"), ("UD_LTE", POSITION, "UD_LTE"),
    ("UD_WCDMA", POSITION, "UD_WCDMA"), ("ud2", POSITION, "UD2"),
    ("AL", ALARM, "AL"), ("AL_LTE", ALARM, "AL_LTE"), ("AL_WCDMA", ALARM, "AL_WCDMA"),
])
def test_watch_located_types(mtype, kind, message_type):
    assert only(WATCH_TOPIC, located(mtype)) == watch_report(kind, message_type)


@pytest.mark.parametrize("bits, report_flags", [
    ((), flags()),
    ((0,), flags(LOW_BATTERY)), ((17,), flags(LOW_BATTERY)),
    ((1,), flags(LEFT_FENCE)), ((18,), flags(LEFT_FENCE)),
    ((2,), flags(ENTERED_FENCE)), ((19,), flags(ENTERED_FENCE)),
    ((16,), flags(SOS)),
    ((20,), flags(REMOVED)),
    ((21,), flags(FALL)), ((22,), flags(FALL)),
    ((3, 8, 15, 23, 31), flags()),  # bits without a meaning for us
    ((0, 16, 20, 21, 31), flags(LOW_BATTERY, SOS, REMOVED, FALL)),
])
def test_watch_al_status_bits(bits, report_flags):
    status = f"{sum(1 << bit for bit in bits):08X}"
    assert only(WATCH_TOPIC, located("AL", status=status)) == watch_report(ALARM, "AL", flags=report_flags)


@pytest.mark.parametrize("status, report_flags", [("10000", flags(SOS)), ("1", flags(LOW_BATTERY)),
                                                  ("00610000", flags(SOS, FALL))])
def test_watch_status_written_short_or_lowercase(status, report_flags):
    assert only(WATCH_TOPIC, located("AL", status=status)) == watch_report(ALARM, "AL", flags=report_flags)


@pytest.mark.parametrize("content", ["TKQ", "CONFIG,1", "UPLOAD,600", "PULSE,72", "SOS1,13800138000", "TK,\x01\x02"])
def test_watch_ignored_types(content):
    assert decoded(WATCH_TOPIC, frame(content)) == []


@pytest.mark.parametrize("payload, reason", [
    pytest.param(b"3G*8800000015*0002*LK", "frame is not enclosed in [ ]", id="no-brackets"),
    pytest.param(b"[3G*8800000015*0002*LK", "frame is not enclosed in [ ]", id="no-closing-bracket"),
    pytest.param(b"[3G*8800000015*LK]", "frame is not [MF*DEVICEID*LEN*CONTENT]", id="missing-length"),
    pytest.param(b"[3GX*8800000015*0002*LK]", "manufacturer code '3GX' is not two letters or digits (uppercase)",
                 id="bad-manufacturer"),
    pytest.param(b"[3G*8800000015*002*LK]", "length field '002' is not four hex digits", id="short-length"),
    pytest.param(b"[3G*8800000015*00G2*LK]", "length field '00G2' is not four hex digits", id="non-hex-length"),
    pytest.param(frame("FOO,1"), "unknown message type 'FOO'", id="unknown-type"),
    pytest.param(frame("LK", device="8800000016"),
                 "device id '8800000016' in the payload does not match topic device '8800000015'",
                 id="device-mismatch"),
    pytest.param(frame("LK", device="88-15"), "device id '88-15' in the frame is not letters and digits",
                 id="bad-device-id"),
    pytest.param(frame("LK,many,0,80"), "steps 'many' is not an integer", id="lk-bad-steps"),
    pytest.param(located(fix="X"), "GPS validity 'X' is not A or V", id="bad-validity"),
    pytest.param(frame("UD,220414,134652,A,22.5,N"), "UD has 5 fields, expected at least 16 (date … status)",
                 id="too-few-fields"),
    pytest.param(located("AL", status="ZZ"), "status 'ZZ' is not a hex word", id="status-not-hex"),
    pytest.param(located("AL", status="100000000"), "status '100000000' is not a hex word", id="status-too-long"),
    pytest.param(located("AL", status=""), "status '' is not a hex word", id="status-empty"),
    pytest.param(located(ns="Q"), "latitude hemisphere 'Q' is not N or S", id="bad-hemisphere"),
    pytest.param(located(lon="east"), "longitude 'east' is not a number", id="bad-longitude"),
    pytest.param(located(lat="nan"), "latitude 'nan' is not a number", id="nan-latitude"),
    pytest.param(located(date="320414"), "date/time '320414' '134652' is not ddmmyy hhmmss", id="bad-date"),
    pytest.param(located(time="1346"), "date/time '220414' '1346' is not ddmmyy hhmmss", id="short-time"),
    pytest.param(located(battery="full"), "battery 'full' is not an integer", id="bad-battery"),
    pytest.param(located(speed="fast"), "speed 'fast' is not a number", id="bad-speed"),
])
def test_watch_malformed(payload, reason):
    assert_rejected(WATCH_TOPIC, payload, reason)


@pytest.mark.parametrize("topic", ["watch/8800000015/down", "watch//up"])
def test_watch_wrong_topic_shape(topic):
    assert_rejected(topic, frame("LK"), f"topic {topic!r} is not watch/<device_id>/up")


# Numbers int()/float() would take but the protocol does not allow.

def test_watch_negative_status_is_rejected():
    assert_rejected(WATCH_TOPIC, located("AL", status="-1"), "status '-1' is not a hex word")


@pytest.mark.parametrize("field, name", [("speed", "speed"), ("course", "course"), ("alt", "altitude")])
def test_watch_non_finite_number_is_rejected(field, name):
    assert_rejected(WATCH_TOPIC, located(**{field: "nan"}), f"{name} 'nan' is not a number")


@pytest.mark.parametrize("length", ["+002", "0_02", " 002"])
def test_watch_length_must_be_four_hex_digits(length):
    assert_rejected(WATCH_TOPIC, f"[3G*{WATCH_DEVICE}*{length}*LK]".encode(),
                    f"length field {length!r} is not four hex digits")


# --- round trips through iot.formats.encode --------------------------------------------

# encoder keyword → Report attribute
NATIVE_FIELDS = {"time": "time", "lat": "lat", "lon": "lon", "acc": "accuracy_m", "spd": "speed_kmh", "crs": "course",
                 "alt": "altitude_m", "sat": "satellites", "batt": "battery", "sig": "signal", "steps": "steps"}
OT_FIELDS = {"time": "time", "lat": "lat", "lon": "lon", "acc": "accuracy_m", "vel": "speed_kmh", "cog": "course",
             "alt": "altitude_m", "batt": "battery"}
WATCH_FIELDS = {"time": "time", "lat": "lat", "lon": "lon", "speed": "speed_kmh", "course": "course",
                "altitude": "altitude_m", "satellites": "satellites", "signal": "signal", "battery": "battery",
                "steps": "steps"}


def assert_gives_back(report: Report, given: dict, mapping: dict[str, str]) -> None:
    """Every value given to the encoder (None for those not given) is in the report."""
    assert {attr: getattr(report, attr) for attr in mapping.values()} == {
        attr: given.get(key) for key, attr in mapping.items()}


NATIVE_MESSAGES = [  # (encoder keywords, kind, flags, gps_fix)
    pytest.param({"type": "position", "time": T, "lat": 25.04, "lon": 102.72, "acc": 12.5, "spd": 3.2, "crs": 180.0,
                  "alt": 1900.0, "sat": 7, "batt": 81, "sig": 70, "steps": 1200},
                 POSITION, flags(), True, id="position"),
    pytest.param({"type": "position", "time": T + dt.timedelta(microseconds=250000), "lat": 25.04, "lon": 102.72,
                  "fix": False},
                 POSITION, flags(), False, id="no-fix-fractional-time"),
    pytest.param({"type": "position", "time": T.astimezone(dt.timezone(dt.timedelta(hours=8))), "lat": 25.04,
                  "lon": 102.72, "iso": True},
                 POSITION, flags(), True, id="iso-from-+08:00"),
    pytest.param({"type": "position", "time": T + dt.timedelta(microseconds=5), "lat": 25.0, "lon": 102.7,
                  "iso": True},
                 POSITION, flags(), True, id="iso-microseconds"),
    pytest.param({"type": "heartbeat", "time": T, "batt": 60, "sig": 40, "steps": 10},
                 HEARTBEAT, flags(), False, id="heartbeat"),
    pytest.param({"type": "heartbeat"}, HEARTBEAT, flags(), False, id="heartbeat-bare"),
    pytest.param({"type": "sos", "time": T, "lat": 25.04, "lon": 102.72, "dev": NATIVE_DEVICE},
                 ALARM, flags(SOS), True, id="sos"),
    pytest.param({"type": "fall", "time": T}, ALARM, flags(FALL), False, id="fall"),
    pytest.param({"type": "removed", "time": T, "batt": 50}, ALARM, flags(REMOVED), False, id="removed"),
    pytest.param({"type": "battery", "time": T, "batt": 12}, ALARM, flags(LOW_BATTERY), False, id="battery-low"),
    pytest.param({"type": "battery", "time": T, "batt": 90, "low": True},
                 ALARM, flags(LOW_BATTERY), False, id="battery-low-flag"),
    pytest.param({"type": "battery", "time": T, "batt": 90}, HEARTBEAT, flags(), False, id="battery-ok"),
]


@pytest.mark.parametrize("given, kind, report_flags, gps_fix", NATIVE_MESSAGES)
def test_native_round_trip(given, kind, report_flags, gps_fix):
    report = only(*encode.native(NATIVE_DEVICE, **given))
    assert_gives_back(report, given, NATIVE_FIELDS)
    assert (report.device_id, report.kind, report.flags, report.gps_fix, report.message_type) == (
        NATIVE_DEVICE, kind, report_flags, gps_fix, given["type"])


def test_native_batch_round_trip():
    given = [p.values[0] for p in NATIVE_MESSAGES]
    reports = decoded(*encode.native_batch(NATIVE_DEVICE, given))
    assert [(r.kind, r.flags, r.gps_fix) for r in reports] == [p.values[1:] for p in NATIVE_MESSAGES]
    for report, fields in zip(reports, given, strict=True):
        assert_gives_back(report, fields, NATIVE_FIELDS)


def test_native_encoder_extra_fields_and_epoch_time():
    topic, payload = encode.native(NATIVE_DEVICE, type="heartbeat", time=T_EPOCH, extra={"batt": 33, "fw": "x"})
    assert only(topic, payload) == native_report(HEARTBEAT, "heartbeat", time=T, battery=33)


def test_encoder_refuses_naive_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        encode.native(NATIVE_DEVICE, type="heartbeat", time=dt.datetime(2026, 11, 23, 8))


@pytest.mark.parametrize("given, gps_fix", [
    ({"time": T, "lat": 25.04, "lon": 102.72, "acc": 12.5, "batt": 81, "vel": 5.0, "cog": 90.0, "alt": 1900.0}, True),
    ({"time": T_EPOCH, "lat": -33.8688, "lon": -151.2093}, True),
    ({"time": T, "lat": 0.0, "lon": 0.0}, False),
])
def test_owntracks_location_round_trip(given, gps_fix):
    report = only(*encode.owntracks_location("alice", OT_DEVICE, **given))
    assert_gives_back(report, {**given, "time": T}, OT_FIELDS)
    assert (report.device_id, report.kind, report.gps_fix, report.message_type) == (
        OT_DEVICE, POSITION, gps_fix, "location")


@pytest.mark.parametrize("event, flag", [("enter", ENTERED_FENCE), ("leave", LEFT_FENCE)])
@pytest.mark.parametrize("subtopic", ["event", None])
def test_owntracks_transition_round_trip(event, flag, subtopic):
    given = {"time": T, "event": event, "desc": "Home", "rid": "r1", "lat": 25.04, "lon": 102.72, "acc": 20.0}
    report = only(*encode.owntracks_transition("alice", OT_DEVICE, subtopic=subtopic, **given))
    assert report == ot_report(TRANSITION, "transition", time=T, lat=25.04, lon=102.72, gps_fix=True,
                               accuracy_m=20.0, flags=flags(flag))


@pytest.mark.parametrize("time", [T, None])
def test_owntracks_lwt_round_trip(time):
    assert only(*encode.owntracks_lwt("alice", OT_DEVICE, time=time)) == ot_report(OFFLINE, "lwt")


WATCH_MESSAGES = [  # (encoder keywords, kind, flags, gps_fix)
    pytest.param({"type": "UD", "time": T, "lat": 22.571707, "lon": 113.8613968, "speed": 3.5, "course": 270.0,
                  "altitude": 45.0, "satellites": 9, "signal": 80, "battery": 66, "steps": 4321},
                 POSITION, flags(), True, id="UD"),
    pytest.param({"type": "UD2", "time": T, "lat": -33.8688, "lon": -151.2093, "satellites": 4, "signal": 20,
                  "battery": 5, "steps": 0},
                 POSITION, flags(), True, id="UD2-south-west"),
    pytest.param({"type": "UD", "time": None, "lat": 25.04, "lon": 102.72, "fix": False, "satellites": 0,
                  "signal": 100, "battery": 100, "steps": 0},
                 POSITION, flags(), False, id="UD-no-fix-no-time"),
    pytest.param({"type": "AL", "time": T, "lat": 25.04, "lon": 102.72, "satellites": 8, "signal": 100,
                  "battery": 100, "steps": 0, "flags": [SOS, FALL]},
                 ALARM, flags(SOS, FALL), True, id="AL-flags"),
    pytest.param({"type": "AL_LTE", "time": T, "lat": 25.04, "lon": 102.72, "satellites": 8, "signal": 100,
                  "battery": 100, "steps": 0, "status_bits": [17, 18, 19, 20, 5]},
                 ALARM, flags(LOW_BATTERY, LEFT_FENCE, ENTERED_FENCE, REMOVED), True, id="AL-status-bits"),
]


@pytest.mark.parametrize("given, kind, report_flags, gps_fix", WATCH_MESSAGES)
def test_watch3g_located_round_trip(given, kind, report_flags, gps_fix):
    report = only(*encode.watch3g(WATCH_DEVICE, **given))
    assert_gives_back(report, {"speed": 0.0, "course": 0.0, "altitude": 0.0, **given}, WATCH_FIELDS)
    assert (report.device_id, report.kind, report.flags, report.gps_fix, report.message_type) == (
        WATCH_DEVICE, kind, report_flags, gps_fix, given["type"])


def test_watch3g_encoder_defaults():
    report = only(*encode.watch3g(WATCH_DEVICE, type="UD", time=T, lat=25.04, lon=102.72, fix=True))
    assert (report.satellites, report.signal, report.battery, report.steps, report.lat, report.lon) == (
        8, 100, 100, 0, 25.04, 102.72)
    unlocated = only(*encode.watch3g(WATCH_DEVICE, type="UD", fix=False))
    assert (unlocated.lat, unlocated.lon, unlocated.gps_fix, unlocated.satellites, unlocated.time) == (
        0.0, 0.0, False, 0, None)


@pytest.mark.parametrize("given, steps, battery", [
    ({}, None, None),
    ({"battery": 87, "steps": 5120, "rolls": 3}, 5120, 87),
])
def test_watch3g_lk_round_trip(given, steps, battery):
    topic, payload = encode.watch3g(WATCH_DEVICE, type="LK", **given)
    assert only(topic, payload) == Report(device_id=WATCH_DEVICE, kind=HEARTBEAT, format="watch3g", steps=steps,
                                          battery=battery, message_type="LK")


def test_watch3g_other_types_and_manufacturer():
    assert decoded(*encode.watch3g(WATCH_DEVICE, type="CONFIG", fields=[1, "x"], manufacturer="SG")) == []
    with pytest.raises(MalformedMessage, match="unknown message type 'NOPE'"):
        decode(*encode.watch3g(WATCH_DEVICE, type="NOPE"))


def test_watch3g_frame_matches_the_real_world_frame():
    content = ("UD,220414,134652,A,22.571707,N,113.8613968,E,0.1,0.0,100,7,60,90,1000,50,0000,4,1,460,0,9360,4082,"
               "131,9360,4092,148,9360,4091,143,9360,4153,141")
    expected = f"[3G*{WATCH_DEVICE}*008F*{content}]".encode()
    assert encode.watch3g_frame(WATCH_DEVICE, content) == frame(content) == expected
