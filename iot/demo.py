"""Elderly-care terminals for the demo district: elders living alone or in empty nests
wear one (3G watches, native terminals and OwnTracks phones in turn), each with a safe
zone round their home and a family contact. Bulk SQL, like the rest of the demo."""
from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction

from iot.broker import password_hash

DEMO_DEVICE_PASSWORD = "device-demo"  # every demo terminal's MQTT password
DEMO_TERMINALS = 2000                 # at most


@transaction.atomic
def demo_terminals_load(*, limit: int = DEMO_TERMINALS, log: Callable[[str], None] = print) -> int:
    """Replace the terminals (and every position) with the demo's; returns how many."""
    secret = password_hash(DEMO_DEVICE_PASSWORD)
    with connection.cursor() as cursor:
        # Positions reference terminals by id without a constraint (partitioned table).
        cursor.execute("TRUNCATE iot_position, iot_alertevent, iot_alert, iot_safezone, iot_emergencycontact, "
                       "iot_terminal, iot_quarantinedmessage, iot_ingestcount RESTART IDENTITY CASCADE")
        cursor.execute(
            """
            WITH elders AS (
                SELECT DISTINCT p.id, p.name, row_number() OVER (ORDER BY p.id) AS n
                FROM assets_person p
                JOIN assets_persontagging pt ON pt.person_id = p.id
                JOIN assets_persontag t ON t.id = pt.tag_id AND t.code IN ('living_alone', 'empty_nest')
                JOIN assets_residence r ON r.person_id = p.id AND r.is_primary AND r.moved_out IS NULL
                ORDER BY p.id LIMIT %(limit)s
            )
            INSERT INTO iot_terminal (device_id, model, protocol, sim_number, person_id, status, mqtt_password_hash,
                                      zone_state, zone_streak, created_at, updated_at)
            SELECT CASE n %% 3 WHEN 0 THEN '8690' || lpad(id::text, 11, '0')
                               WHEN 1 THEN 'nat-' || lpad(id::text, 7, '0')
                               ELSE 'phone-' || lpad(id::text, 7, '0') END,
                   CASE n %% 3 WHEN 0 THEN 'GW-3G Watch' WHEN 1 THEN 'EC-100' ELSE 'OwnTracks' END,
                   CASE n %% 3 WHEN 0 THEN 'watch3g' WHEN 1 THEN 'native' ELSE 'owntracks' END,
                   '1440' || lpad((id * 7919 %% 100000000)::text, 9, '0'), id, 'active', %(secret)s, '', 0, now(), now()
            FROM elders
            """, {"limit": limit, "secret": secret})
        count = cursor.rowcount
        cursor.execute(
            """INSERT INTO iot_safezone (person_id, radius_m, created_at, updated_at)
               SELECT person_id, 300 + (person_id % 5) * 50, now(), now() FROM iot_terminal""")
        cursor.execute(
            """INSERT INTO iot_emergencycontact (person_id, name, relation, phone, priority)
               SELECT person_id, left(p.name, 1) || (ARRAY['丽', '伟', '芳', '军', '敏'])[1 + person_id % 5],
                      (ARRAY['女儿', '儿子', '配偶', '侄子', '邻居'])[1 + person_id % 5],
                      '13' || lpad((person_id * 104729 % 1000000000)::text, 9, '0'), 1
               FROM iot_terminal t JOIN assets_person p ON p.id = t.person_id""")
        cursor.execute("ANALYZE iot_terminal, iot_safezone, iot_emergencycontact")
    log(f"{count:,} elderly-care terminals with safe zones and family contacts")
    return count
