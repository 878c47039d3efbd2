"""The bench terminals in grid_bench — "bench000001"… bound to people with a home, elders
first, spread over the district; protocols native, 3G watch and OwnTracks in turn; a safe
zone of RADIUS_M round each home — created once, in bulk; and what the ingester wrote
for them (reset between rounds, counted)."""
from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass

PREFIX = "bench"  # watch frames allow letters and digits only: bench000001…
RADIUS_M = 300
PROTOCOLS = ("native", "watch3g", "owntracks")

_TERMINALS_INSERT = """
INSERT INTO iot_terminal (created_at, updated_at, device_id, model, protocol, sim_number, status,
                          mqtt_password_hash, zone_state, zone_streak, person_id)
SELECT now(), now(), %(prefix)s || lpad(c.n::text, 6, '0'), 'bench', (%(protocols)s::text[])[1 + (c.n - 1) %% 3],
       '', 'active', '', '', 0, c.person_id
FROM (SELECT row_number() OVER (ORDER BY p.elder DESC, p.spread) AS n, p.id AS person_id
      FROM (SELECT p.id, COALESCE(p.birth_date <= current_date - interval '60 years', false) AS elder,
                   md5(p.id::text) AS spread  -- elders all over the district, not the first ids
            FROM assets_person p
            WHERE EXISTS (SELECT FROM assets_residence r
                          WHERE r.person_id = p.id AND r.is_primary AND r.moved_out IS NULL)
            ORDER BY elder DESC, spread
            LIMIT %(n)s) p) c
ON CONFLICT (device_id) DO NOTHING
"""

_ZONES_INSERT = """
INSERT INTO iot_safezone (created_at, updated_at, radius_m, person_id)
SELECT now(), now(), %(radius)s, t.person_id
FROM iot_terminal t
WHERE t.device_id LIKE %(like)s AND t.person_id IS NOT NULL
ON CONFLICT (person_id) DO NOTHING
"""

_RESET = [
    "TRUNCATE iot_position",
    ("DELETE FROM iot_alertevent WHERE alert_id IN (SELECT a.id FROM iot_alert a JOIN iot_terminal t "
     "ON t.id = a.terminal_id WHERE t.device_id LIKE %(like)s)"),
    "DELETE FROM iot_alert WHERE terminal_id IN (SELECT id FROM iot_terminal WHERE device_id LIKE %(like)s)",
    "DELETE FROM iot_quarantinedmessage",
    ("UPDATE iot_terminal SET last_seen_at = NULL, last_fix_at = NULL, last_position = NULL, last_accuracy_m = NULL, "
     "last_gps_fix = NULL, battery = NULL, signal = NULL, zone_state = '', zone_streak = 0 "
     "WHERE device_id LIKE %(like)s"),
    "VACUUM ANALYZE iot_terminal",
    "VACUUM ANALYZE iot_alert",
]


def device_id(n: int) -> str:
    return f"{PREFIX}{n:06d}"


def terminals_ensure(db, devices: int) -> None:
    """The first ``devices`` bench terminals and their safe zones, created in bulk when missing."""
    like = PREFIX + "%"
    with db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM iot_terminal WHERE device_id LIKE %s AND device_id <= %s",
                       [like, device_id(devices)])
        have = cursor.fetchone()[0]
        if have < devices:
            started = time.perf_counter()
            cursor.execute(_TERMINALS_INSERT, {"prefix": PREFIX, "protocols": list(PROTOCOLS), "n": devices})
            print(f"created {cursor.rowcount:,} terminals in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        cursor.execute(_ZONES_INSERT, {"radius": RADIUS_M, "like": like})
        if cursor.rowcount:
            print(f"created {cursor.rowcount:,} safe zones in {time.perf_counter() - started:.1f} s")
        cursor.execute("SELECT count(*) FROM iot_terminal WHERE device_id LIKE %s AND device_id <= %s",
                       [like, device_id(devices)])
        if cursor.fetchone()[0] < devices:
            sys.exit(f"fewer than {devices:,} people with a home in grid_bench: use --devices")


def database_reset(db) -> None:
    with db.cursor() as cursor:
        for sql in _RESET:
            cursor.execute(sql, {"like": PREFIX + "%"} if "%(like)s" in sql else None)


@dataclass(frozen=True)
class Home:
    device_id: str
    protocol: str
    lat: float
    lon: float


def homes_load(db, devices: int) -> list[Home]:
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT t.device_id, t.protocol, ST_Y(z.center), ST_X(z.center) FROM iot_terminal t "
            "JOIN iot_safezone z ON z.person_id = t.person_id "
            "WHERE t.device_id LIKE %s AND t.device_id <= %s AND z.center IS NOT NULL ORDER BY t.device_id",
            [PREFIX + "%", device_id(devices)])
        return [Home(*row) for row in cursor.fetchall()]


def ingest_counts(db) -> Counter:
    """Outcomes counted so far, (format, outcome) → n, all days."""
    with db.cursor() as cursor:
        cursor.execute("SELECT format, outcome, sum(count) FROM iot_ingestcount GROUP BY 1, 2")
        return Counter({(f, o): int(n) for f, o, n in cursor.fetchall()})


def ingest_total(db) -> int:
    with db.cursor() as cursor:
        cursor.execute("SELECT COALESCE(sum(count), 0) FROM iot_ingestcount")
        return int(cursor.fetchone()[0])
