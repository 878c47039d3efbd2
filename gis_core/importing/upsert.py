"""The bulk write of buildings, key sites and organizations: every row of a file in a
handful of statements, inside the caller's transaction.

1. COPY the rows into a temporary staging table (its ``pt`` column is the point on the
   surface, as the derived-area trigger uses).
2. The records the rows' source keys already name; a record whose geometry is unchanged
   keeps its area.
3. The derived area of every other row: gis_deepest_area's query written set-wise,
   deepest level first — areas in the outer loop, so PostGIS reuses each boundary's
   prepared geometry across the rows it contains (a call of the function per row costs
   ~20× more).
4. Rows outside every area, outside the importing user's areas, whose existing record
   (same source key) is outside them, or clashing with another record on a unique field,
   are set aside with the reason.
5. One ``INSERT`` of the new keys and one ``UPDATE … WHERE changed`` of the rest, each
   with its history; identical rows are left alone (no write, no history), and a
   statement with nothing to write is not run (an unchanged file fires no trigger).

The table's row-level ``derive_area`` and history (``snapshot_*``) triggers are switched
off for this transaction only (ALTER TABLE … DISABLE TRIGGER: transactional, invisible to
other sessions, and its SHARE ROW EXCLUSIVE lock lets readers through while it makes
other writers of the table wait until commit). Their work is done here instead, set-wise
and identically: the area from step 2, and one history event per created or updated row
(the same columns and label the trigger writes, with the import's context). Per row, the
two triggers cost ~0.5 ms — most of a 100,000-row import. Statement-level triggers (map
tile invalidation, cell counts) and foreign-key checks run as for any other write.
"""
from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import pgtrigger
from django.apps import apps
from django.db import connection

from gis_core.importing.layers import ImportLayer
from gis_core.scoping import UNRESTRICTED

STAGING, EXISTING, AREAS, SET_ASIDE = "import_staging", "import_existing", "import_area", "import_set_aside"
ROW_TRIGGERS = ("derive_area", "snapshot_insert", "snapshot_update")
COPY_CHUNK = 10_000

# Reasons a row is set aside (the service turns them into sentences).
OUTSIDE_DISTRICT, OUTSIDE_SCOPE, EXISTING_OUTSIDE_SCOPE, CONFLICT = "outside", "scope", "existing_scope", "conflict"


@dataclass
class Staged:
    """Rows ready for the database: file row numbers, source keys, one list per layer
    column, and the WGS84 geometries as hex EWKB."""

    rows: list[int]
    keys: list[str]
    values: dict[str, list]
    ewkb: list[str]


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    set_aside: list[tuple[int, str, str]] = field(default_factory=list)  # row, reason code, detail
    seconds: dict[str, float] = field(default_factory=dict)  # per step


def _event_model(model: type):
    return next(m for m in apps.get_models() if getattr(m, "pgh_tracked_model", None) is model
                and m._meta.db_table.endswith("event"))


def _history_columns(model: type) -> list[str]:
    """The tracked columns of the model's history table (everything but pgh_*)."""
    return [f.column for f in _event_model(model)._meta.concrete_fields if not f.name.startswith("pgh_")]


@contextmanager
def _row_triggers_off(cursor, model: type):
    table = model._meta.db_table
    pgids = [trigger.get_pgid(m) for m, trigger in pgtrigger.registered(*(f"{model._meta.label}:{name}"
                                                                          for name in ROW_TRIGGERS))]
    if len(pgids) != len(ROW_TRIGGERS):
        raise RuntimeError(f"{model._meta.label} lacks one of the triggers {ROW_TRIGGERS}")
    # ALTER TABLE refuses to run while deferred foreign-key checks of the table are pending
    # (rows_upsert made them immediate).
    cursor.execute(f"ALTER TABLE {table} " + ", ".join(f"DISABLE TRIGGER {p}" for p in pgids))
    yield
    cursor.execute(f"ALTER TABLE {table} " + ", ".join(f"ENABLE TRIGGER {p}" for p in pgids))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy_text(values: list) -> list[str]:
    """A column's values in COPY's text format. Column by column, not row by row: psycopg's
    write_row costs ~8 µs a row, a third of the staging."""
    return ["\\N" if v is None else (v.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(v) else v)
            if isinstance(v, str) else str(v) for v in values]


def _stage(cursor, layer: ImportLayer, staged: Staged) -> None:
    columns = [(c.field, c.sql_type) for c in layer.columns]
    cursor.execute(f"DROP TABLE IF EXISTS {STAGING}, {EXISTING}, {AREAS}, {SET_ASIDE}")
    cursor.execute(
        f"CREATE TEMP TABLE {STAGING} (row int PRIMARY KEY, source_key text NOT NULL, "
        + "".join(f"{name} {sql_type}, " for name, sql_type in columns)
        + "geom geometry(Geometry, 4326) NOT NULL, pt geometry GENERATED ALWAYS AS (ST_PointOnSurface(geom)) STORED"
        + ") ON COMMIT DROP")
    names = ["row", "source_key", *(name for name, _t in columns), "geom"]
    lists = [staged.rows, staged.keys, *(staged.values[name] for name, _t in columns), staged.ewkb]
    with cursor.cursor.copy(f"COPY {STAGING} ({', '.join(names)}) FROM STDIN") as copy:
        for start in range(0, len(staged.rows), COPY_CHUNK):
            columns = [_copy_text(values[start:start + COPY_CHUNK]) for values in lists[:-1]]
            columns.append(staged.ewkb[start:start + COPY_CHUNK])  # hex: nothing to escape
            copy.write("".join(f"{line}\n" for line in map("\t".join, zip(*columns, strict=True))))
    cursor.execute(f"ANALYZE {STAGING}")


def _existing_match(cursor, layer: ImportLayer) -> None:
    """import_existing(row, id, area_id, same_geometry, unchanged): the record each row's
    source key already names, and whether the row would change it. A record whose geometry
    is unchanged keeps its area (the derive_area trigger only runs when the geometry
    changes, and derived_areas_reassign keeps it current when a boundary moves), so a
    re-import derives nothing and compares each row once."""
    model = layer.model_class
    table, geom = model._meta.db_table, model._meta.get_field(layer.geometry).column
    fields = [c.field for c in layer.columns]
    cursor.execute(f"""CREATE TEMP TABLE {EXISTING} ON COMMIT DROP AS
        SELECT row, id, area_id, same_geometry,
               same_geometry AND area_id IS NOT NULL AND same_values AS unchanged
        FROM (SELECT s.row, t.id, t.area_id, t.{geom} IS NOT DISTINCT FROM s.geom AS same_geometry,
                     ({', '.join(f't.{f}' for f in fields)}) IS NOT DISTINCT FROM ({', '.join(f's.{f}' for f in fields)})
                     AS same_values
              FROM {STAGING} s JOIN {table} t ON t.source_key = s.source_key AND NOT (t.source_key = '')) m""")
    cursor.execute(f"ALTER TABLE {EXISTING} ADD PRIMARY KEY (row)")
    cursor.execute(f"ANALYZE {EXISTING}")


def _areas_derive(cursor) -> None:
    """import_area(row, area_id): the deepest area covering each row's point; an unchanged
    geometry's area is its record's (see _existing_match)."""
    cursor.execute(f"CREATE TEMP TABLE {AREAS} (row int PRIMARY KEY, area_id bigint NOT NULL) ON COMMIT DROP")
    cursor.execute(f"""INSERT INTO {AREAS} (row, area_id) SELECT row, area_id FROM {EXISTING}
                       WHERE same_geometry AND area_id IS NOT NULL""")
    if cursor.rowcount == _count(cursor, STAGING):
        return
    cursor.execute(f"CREATE INDEX ON {STAGING} USING gist (pt)")  # only when there is something to derive
    cursor.execute("SELECT DISTINCT level FROM gis_core_area ORDER BY level DESC")
    for (level,) in cursor.fetchall():
        cursor.execute(
            f"""INSERT INTO {AREAS} (row, area_id)
                SELECT DISTINCT ON (s.row) s.row, a.id
                FROM gis_core_area a JOIN {STAGING} s ON ST_Covers(a.boundary, s.pt)
                WHERE a.level = %s AND NOT EXISTS (SELECT FROM {AREAS} d WHERE d.row = s.row)
                ORDER BY s.row, a.id""", [level])


def _count(cursor, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {table}")
    return cursor.fetchone()[0]


def _set_aside(cursor, layer: ImportLayer, prefixes: list[str] | None) -> list[tuple[int, str, str]]:
    table = layer.model_class._meta.db_table
    cursor.execute(f"CREATE TEMP TABLE {SET_ASIDE} (row int PRIMARY KEY, reason text, detail text) ON COMMIT DROP")
    checks = [(f"""SELECT s.row, '{OUTSIDE_DISTRICT}', '' FROM {STAGING} s
                   WHERE NOT EXISTS (SELECT FROM {AREAS} d WHERE d.row = s.row)""", [])]
    if prefixes is not UNRESTRICTED:
        patterns = [p + "%" for p in prefixes]
        checks += [
            (f"""SELECT d.row, '{OUTSIDE_SCOPE}', a.name || ' (' || a.code || ')'
                 FROM {AREAS} d JOIN gis_core_area a ON a.id = d.area_id
                 WHERE NOT a.code LIKE ANY (%s)""", [patterns]),
            (f"""SELECT s.row, '{EXISTING_OUTSIDE_SCOPE}', coalesce(a.name || ' (' || a.code || ')', '')
                 FROM {STAGING} s JOIN {table} t ON t.source_key = s.source_key AND NOT (t.source_key = '')
                 LEFT JOIN gis_core_area a ON a.id = t.area_id
                 WHERE a.code IS NULL OR NOT a.code LIKE ANY (%s)""", [patterns]),
        ]
    for column in layer.unique_columns:  # another record already holds a unique value
        checks.append((f"""SELECT s.row, '{CONFLICT}', '{column.field}: ' || t.{column.field} || ' — ' || t.name
                           FROM {STAGING} s JOIN {table} t ON t.{column.field} = s.{column.field}
                           WHERE t.source_key IS DISTINCT FROM s.source_key""", []))
    for sql, params in checks:
        cursor.execute(f"INSERT INTO {SET_ASIDE} {sql} ON CONFLICT (row) DO NOTHING", params)
    cursor.execute(f"SELECT row, reason, detail FROM {SET_ASIDE} ORDER BY row")
    return cursor.fetchall()


def _write(cursor, layer: ImportLayer) -> tuple[int, int]:
    """(created, updated): one INSERT of the new keys, one UPDATE of the changed rows, each
    with its history events; a statement with nothing to write is not run, so an
    unchanged file fires no trigger. No ON CONFLICT needed: the table lock keeps other
    writers out, and a plain insert skips the speculative-insertion dance."""
    model = layer.model_class
    table, geom = model._meta.db_table, model._meta.get_field(layer.geometry).column
    fields = [c.field for c in layer.columns]
    data = [*fields, geom, "area_id"]
    source = [*(f"s.{f}" for f in fields), "s.geom", "d.area_id"]
    history = _history_columns(model)
    events = f"""INSERT INTO {_event_model(model)._meta.db_table}
                     ({', '.join(history)}, pgh_created_at, pgh_label, pgh_obj_id, pgh_context_id)
                 SELECT {', '.join(f'w.{c}' for c in history)}, now(), 'snapshot', w.id, (SELECT _pgh_attach_context())
                 FROM written w"""
    kept = f"NOT EXISTS (SELECT FROM {SET_ASIDE} x WHERE x.row = s.row)"
    cursor.execute(f"""SELECT count(*) FROM {STAGING} s WHERE {kept}
                       AND NOT EXISTS (SELECT FROM {EXISTING} e WHERE e.row = s.row)""")
    created = updated = 0
    if cursor.fetchone()[0]:
        cursor.execute(f"""
            WITH written AS (
                INSERT INTO {table} (source_key, created_at, updated_at, {', '.join(data)})
                SELECT s.source_key, now(), now(), {', '.join(source)}
                FROM {STAGING} s JOIN {AREAS} d ON d.row = s.row
                WHERE {kept} AND NOT EXISTS (SELECT FROM {EXISTING} e WHERE e.row = s.row)
                ORDER BY s.row
                RETURNING *
            ), events AS ({events})
            SELECT count(*) FROM written""")
        created = cursor.fetchone()[0]
    cursor.execute(f"SELECT count(*) FROM {EXISTING} s WHERE NOT s.unchanged AND {kept}")
    if cursor.fetchone()[0]:
        changed = f"""FROM {STAGING} s JOIN {AREAS} d ON d.row = s.row JOIN {EXISTING} e ON e.row = s.row
                      JOIN {table} t ON t.id = e.id
                      WHERE NOT e.unchanged AND {kept}
                        AND ({', '.join(f't.{c}' for c in data)}) IS DISTINCT FROM ({', '.join(source)})"""
        cursor.execute(f"""
            WITH written AS (
                UPDATE {table} AS u SET {', '.join(f'{c} = v.{c}' for c in data)}, updated_at = now()
                FROM (SELECT t.id, {', '.join(f'{v} AS {c}' for v, c in zip(source, data, strict=True))}
                      {changed}) v
                WHERE u.id = v.id
                RETURNING u.*
            ), events AS ({events})
            SELECT count(*) FROM written""")
        updated = cursor.fetchone()[0]
    return created, updated


def rows_upsert(*, layer: ImportLayer, staged: Staged, prefixes: list[str] | None) -> Written:
    """Write ``staged`` into the layer's table (see the module's docstring); ``prefixes``:
    the importing user's area prefixes (gis_core.scoping.user_area_prefixes)."""
    written = Written()
    if not staged.rows:
        return written
    clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        written.seconds[step] = now - clock
        clock = now

    with connection.cursor() as cursor:
        _stage(cursor, layer, staged)
        lap("copy")
        # Other writers of the table wait from here to the commit (readers do not): what
        # the checks see is what the upsert writes over. The trigger switch needs this
        # lock anyway.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"LOCK TABLE {layer.model_class._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        _existing_match(cursor, layer)
        _areas_derive(cursor)
        lap("areas")
        written.set_aside = _set_aside(cursor, layer, prefixes)
        lap("checks")
        with _row_triggers_off(cursor, layer.model_class):
            written.created, written.updated = _write(cursor, layer)
        cursor.execute(f"DROP TABLE {STAGING}, {EXISTING}, {AREAS}, {SET_ASIDE}")
        lap("upsert")
    written.unchanged = len(staged.rows) - len(written.set_aside) - written.created - written.updated
    return written
