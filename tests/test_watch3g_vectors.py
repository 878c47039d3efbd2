"""3G-watch frames as real watches send them, per vendor prefix (tests/vectors/watch3g_frames.json):
each decodes to exactly the reports written there, or is malformed with exactly the reason
written there (and the reports of its readable frames). No payload makes the decoder raise
anything but ``MalformedMessage``. Pure functions: no database or broker."""
from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import pytest

from iot.formats import MalformedMessage, Report, decode

VECTORS = json.loads((Path(__file__).parent / "vectors" / "watch3g_frames.json").read_text())["vendors"]
CASES = [pytest.param(vector, id=f"{vendor}: {vector['name']}")
         for vendor, vectors in VECTORS.items() for vector in vectors]


def topic_and_payload(vector: dict) -> tuple[str, bytes]:
    return f"watch/{vector['device']}/up", vector["payload"].encode("latin-1")


def expected_reports(vector: dict) -> list[Report]:
    reports = []
    for fields in vector["reports"]:
        fields = dict(fields)
        if "time" in fields:
            fields["time"] = dt.datetime.fromisoformat(fields["time"])
        fields["flags"] = frozenset(fields.get("flags", ()))
        reports.append(Report(device_id=vector["device"], format="watch3g", **fields))
    return reports


@pytest.mark.parametrize("vector", CASES)
def test_vector(vector):
    topic, payload = topic_and_payload(vector)
    if "reason" not in vector:
        assert decode(topic, payload) == expected_reports(vector)
        return
    with pytest.raises(MalformedMessage) as caught:
        decode(topic, payload)
    assert (str(caught.value), caught.value.reports) == (vector["reason"], expected_reports(vector))


def test_the_vectors_cover_the_variants():
    """Every prefix the issue names, frames with an index, several frames in one payload,
    lengths in lowercase hex and lengths that do not match."""
    assert {"3G", "SG", "ZJ", "CS"} <= VECTORS.keys()
    payloads = [v["payload"] for vectors in VECTORS.values() for v in vectors]
    assert any(p.count("[3G*") > 2 for p in payloads)
    assert any(p.startswith("[ZJ*") and p.split("*")[3] != p.split("*")[2] for p in payloads)
    assert any(any(c in "abcdef" for c in p.split("*")[2]) for p in payloads if p.startswith("[CS*"))


def _mangled(payload: bytes, rng: random.Random) -> list[bytes]:
    """Every truncation of ``payload`` and some random corruptions of it."""
    out = [payload[:n] for n in range(len(payload))]
    for _ in range(40):
        data = bytearray(payload)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(data))
            data[at] = rng.choice(b"[]*,}\x00\xffA09-. ")
        out.append(bytes(data))
    return out


def test_no_payload_crashes_the_decoder():
    rng = random.Random(18)
    for vectors in VECTORS.values():
        for vector in vectors:
            topic, payload = topic_and_payload(vector)
            for mangled in _mangled(payload, rng):
                try:
                    reports = decode(topic, mangled)
                except MalformedMessage as exc:
                    assert str(exc) and all(isinstance(r, Report) for r in exc.reports), mangled
                else:
                    assert all(isinstance(r, Report) for r in reports), mangled
