"""Who a notice reaches, resolved set-wise in SQL along the spatial spine
(people → current residences → houses → buildings → cells): the buildings in the target
areas' subtrees (by area code prefix) or whose footprint intersects the drawn shape (a
polygon; a circle is kept buffered on the spheroid, so one indexed ``ST_Intersects``
serves both). Phones are normalised and deduplicated in SQL; the approval inserts the
outbox rows from the same statement (notices/services.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

# A mainland mobile number, with or without +86 and separators → its 11 digits (the SQL
# twin of notify.channels.sms.phone_normalize).
PHONE_SQL = ("substring(regexp_replace(p.phone, '[[:space:]-]', '', 'g') "
             "from '^(?:[+]?86)?(1[3-9][0-9]{9})$')")


@dataclass(frozen=True)
class Target:
    """What a notice targets: area code prefixes (their subtrees), a shape (EWKB), the
    audience."""

    prefixes: tuple[str, ...]
    shape: bytes | None
    residents: bool = True
    group_id: int | None = None
    staff: bool = False

    @classmethod
    def of(cls, notice) -> "Target":
        return cls(prefixes=tuple(notice.target_areas.values_list("prefix", flat=True)),
                   shape=bytes(notice.shape.ewkb) if notice.shape else None, residents=notice.to_residents,
                   group_id=notice.group_id, staff=notice.to_staff)


def people_sql(target: Target) -> tuple[str, list]:
    """SELECT person_id, area_id, phone (normalised, or NULL) of the residents the target
    reaches, one row a person."""
    if not target.residents or (not target.prefixes and target.shape is None):
        return "SELECT NULL::bigint AS person_id, NULL::bigint AS area_id, NULL::text AS phone WHERE false", []
    parts, params = [], []
    if target.prefixes:
        parts.append("""SELECT b.id FROM assets_building b
                        WHERE b.area_id IN (SELECT id FROM gis_core_area WHERE code LIKE ANY(%s))""")
        params.append([p + "%" for p in target.prefixes])
    if target.shape is not None:
        parts.append("SELECT b.id FROM assets_building b WHERE ST_Intersects(b.footprint, ST_GeomFromEWKB(%s))")
        params.append(target.shape)
    group = ""
    if target.group_id is not None:
        group = "AND EXISTS (SELECT 1 FROM assets_persontagging t WHERE t.person_id = p.id AND t.tag_id = %s)"
        params.append(target.group_id)
    sql = f"""
        SELECT p.id AS person_id, p.area_id, {PHONE_SQL} AS phone
        FROM assets_person p
        WHERE p.id IN (SELECT r.person_id FROM assets_residence r JOIN assets_house h ON h.id = r.house_id
                       WHERE r.moved_out IS NULL AND h.building_id IN ({" UNION ".join(parts)}))
        {group}"""
    return sql, params


def phones_sql(target: Target) -> tuple[str, list]:
    """SELECT phone, person_id (the lowest of those sharing it), area_id: one row a
    distinct phone."""
    people, params = people_sql(target)
    return f"""SELECT DISTINCT ON (phone) phone, person_id, area_id FROM ({people}) people
               WHERE phone IS NOT NULL ORDER BY phone, person_id""", params


def staff_sql(target: Target) -> tuple[str, list]:
    """SELECT user_id of the active staff assigned to an area in the target: in a target
    area's subtree, or a community or grid cell whose inside the drawn shape meets."""
    if not target.staff or (not target.prefixes and target.shape is None):
        return "SELECT NULL::bigint AS user_id WHERE false", []
    parts, params = [], []
    if target.prefixes:
        parts.append("SELECT id FROM gis_core_area WHERE code LIKE ANY(%s)")
        params.append([p + "%" for p in target.prefixes])
    if target.shape is not None:
        parts.append("""SELECT id FROM gis_core_area WHERE level >= 4
                        AND ST_Intersects(boundary, ST_GeomFromEWKB(%s))
                        AND NOT ST_Touches(boundary, ST_GeomFromEWKB(%s))""")
        params += [target.shape, target.shape]
    sql = f"""SELECT DISTINCT u.id AS user_id FROM gis_core_user u
              JOIN gis_core_user_areas ua ON ua.user_id = u.id
              WHERE u.is_active AND ua.area_id IN ({" UNION ".join(parts)})"""
    return sql, params


@dataclass(frozen=True)
class Reach:
    people: int
    phones: int
    staff: int


def target_reach(target: Target) -> Reach:
    """How many people, distinct phones and staff the target reaches (one query)."""
    people, p_params = people_sql(target)
    phones, ph_params = phones_sql(target)
    staff, s_params = staff_sql(target)
    with connection.cursor() as cursor:
        cursor.execute(f"""SELECT (SELECT count(*) FROM ({people}) a), (SELECT count(*) FROM ({phones}) b),
                                  (SELECT count(*) FROM ({staff}) c)""", p_params + ph_params + s_params)
        return Reach(*cursor.fetchone())
