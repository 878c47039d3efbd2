"""Rendering vector tiles in PostGIS, and the version-checked tile cache.

One statement renders a tile: the layer's queryset — scoped to the user (layer_rows) and
filtered to the tile with ``geometry && envelope`` (a GiST index scan) — wrapped in
``ST_AsMVT(ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope(z, x, y), 4096, 64))``.
The same statement reads the tile's current version, so the cached copy is labelled with
the version of the snapshot it was drawn from (tiles/models.py).
"""
from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import F, QuerySet
from isal import igzip

from gis_core.planner import planner_settings
from gis_core.replicas import read_alias
from gis_core.scoping import UNRESTRICTED, scope_queryset, user_area_prefixes
from tiles.layers import TileLayer
from tiles.tilemath import tile_bbox_4326

EXTENT = 4096
BUFFER = 64


@dataclass(frozen=True)
class Tile:
    """A tile as served: the MVT gzip-compressed (empty when the tile has no feature)."""

    data: bytes
    etag: str
    cached: bool  # served from the cache

    @property
    def mvt(self) -> bytes:
        return gzip.decompress(self.data) if self.data else b""


def _tile(mvt: bytes) -> Tile:
    # Level 1: most of the size gain for a fraction of the time of the default level;
    # ISA-L's, 5× faster than zlib's (a dense z14 tile, 200 KB: 0.4 ms, not 2 ms).
    data = igzip.compress(mvt, compresslevel=1, mtime=0) if mvt else b""
    return Tile(data, _etag(data), cached=False)


def scope_key(user) -> str | None:
    """Users with the same areas see the same tiles and share cached copies. None: the
    user sees nothing."""
    prefixes = user_area_prefixes(user)
    if prefixes is UNRESTRICTED:
        return "*"
    if not prefixes:
        return None
    key = ",".join(sorted(prefixes))
    return key if len(key) <= 200 else "sha1:" + hashlib.sha1(key.encode()).hexdigest()


def layer_rows(layer: TileLayer, user, z: int) -> QuerySet:
    """The rows the layer draws at zoom ``z`` for this user: id, geometry and the zoom's
    attributes, scoped to the user (the tile's box is added by tile_sql)."""
    qs = layer.queryset()
    # Cached tiles are shared by users with the same areas: a model narrowed further per
    # user (gis_core.scoping's scope_narrow) can only be drawn live.
    assert not (layer.cached and hasattr(qs.model, "scope_narrow")), f"{layer.name}: a narrowed model must be live"
    attributes = {f"a_{name}": F(expr) if isinstance(expr, str) else expr
                  for name, expr in layer.attributes_at(z).items()}
    return scope_queryset(qs, user).order_by().values(mvt_id=F("pk"), mvt_geom=F(layer.geometry), **attributes)


# Compiled layer_rows SQL of cached layers by (layer, zoom's attribute set, scope): the
# ORM's compilation costs as much as a sixth of an uncached z16 tile. For a cached layer it
# is a function of these alone — the cached tiles themselves are shared by scope — while a
# live layer's queryset may hold the time of the request or a per-user narrowing.
# (Keyed by the layer object, not its name: a layer registered anew is compiled anew.)
_COMPILED: dict[tuple, tuple[TileLayer, str, tuple]] = {}
_COMPILED_MAX = 1024


def _layer_rows_sql(layer: TileLayer, user, z: int) -> tuple[str, tuple]:
    if not layer.cached:
        return layer_rows(layer, user, z).query.sql_with_params()
    band = sum(1 for from_zoom, _attributes in layer.attributes if z >= from_zoom)
    key = (id(layer), band, scope_key(user))
    compiled = _COMPILED.get(key)
    if compiled is None or compiled[0] is not layer:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        compiled = _COMPILED[key] = (layer, *layer_rows(layer, user, z).query.sql_with_params())
    return compiled[1], compiled[2]


def tile_sql(layer: TileLayer, user, z: int, x: int, y: int) -> tuple[str, list]:
    """SQL returning (current version, MVT bytes) of one tile. The box filter on the layer's
    rows is pushed down by PostgreSQL to the geometry's GiST index."""
    inner, inner_params = _layer_rows_sql(layer, user, z)
    columns = "".join(f', q."a_{name}" AS "{name}"' for name in layer.attributes_at(z))
    sql = f"""
        SELECT
            (SELECT COALESCE(max(version), 0) FROM tiles_tileversion
             WHERE layer = %s AND z = %s AND x = %s AND y = %s),
            (SELECT ST_AsMVT(t.*, %s, {EXTENT}, 'geom', 'id') FROM (
                SELECT q.mvt_id AS id{columns},
                       ST_AsMVTGeom(ST_Transform(q.mvt_geom, 3857), ST_TileEnvelope(%s, %s, %s),
                                    {EXTENT}, {BUFFER}, true) AS geom
                FROM ({inner}) q
                WHERE q.mvt_geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)
             ) t)
    """
    # (ST_AsMVT skips rows whose clipped geometry is NULL; filtering on it in SQL would
    # make PostgreSQL compute ST_AsMVTGeom twice.)
    box = tile_bbox_4326(z, x, y, margin=BUFFER / EXTENT)
    return sql, [layer.name, z, x, y, layer.name, z, x, y, *inner_params, *box]


def _etag(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _fetchone_binary(sql: str, params: list, *, using: str | None = None) -> tuple | None:
    """One row, in PostgreSQL's binary format: tiles are bytea, which the text format
    would ship hex-encoded, twice the size, and decode in Python. (Django's cursors bind
    parameters client-side, which cannot return binary results; this one binds them on
    the server, on Django's connection and in its transaction: a replica's inside
    gis_core.replicas.replica_reads().)"""
    reader = connections[using or read_alias()]
    reader.ensure_connection()
    with psycopg.Cursor(reader.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        return cursor.fetchone()


def cached_tile(layer: TileLayer, scope: str, z: int, x: int, y: int) -> Tile | None:
    """The cached copy, if still valid. Always from the primary: the cache is an unlogged
    table (0003_unlogged_cache), which replicas do not have."""
    age = f"AND c.created_at > now() - interval '{int(layer.cache_seconds)} seconds'" if layer.cache_seconds else ""
    row = _fetchone_binary(
        f"""
        SELECT c.data, c.etag FROM tiles_tilecache c
        WHERE c.layer = %s AND c.z = %s AND c.x = %s AND c.y = %s AND c.scope = %s {age}
          AND c.version = COALESCE((SELECT v.version FROM tiles_tileversion v
                                    WHERE v.layer = c.layer AND v.z = c.z AND v.x = c.x AND v.y = c.y), 0)
        """,
        [layer.name, z, x, y, scope],
        using=DEFAULT_DB_ALIAS,
    )
    return Tile(bytes(row[0]), row[1], cached=True) if row else None


def render_tile(layer: TileLayer, user, z: int, x: int, y: int) -> tuple[int, Tile]:
    """(version, tile) freshly drawn from the database.

    Serially: PostGIS's costs of ST_AsMVTGeom make a dense tile's plan parallel, but a map
    asks for a dozen tiles at once, which keep every core busy already; workers only add
    their start-up and contention (z14, 7,000 buildings: 44 ms parallel, 32 ms serial on
    two cores)."""
    alias = read_alias()
    with planner_settings(using=alias, max_parallel_workers_per_gather=0):
        version, mvt = _fetchone_binary(*tile_sql(layer, user, z, x, y), using=alias)
    return version, _tile(bytes(mvt or b""))


def store_tile(layer: TileLayer, scope: str, z: int, x: int, y: int, version: int, tile: Tile) -> None:
    """Keep the tile unless a newer version is cached already. (The tile goes as a binary
    parameter, %b: Django's client-side binding would inline it as an escaped literal.)"""
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(
            """
            INSERT INTO tiles_tilecache AS c (layer, z, x, y, scope, version, etag, data, created_at)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %b, now())
            ON CONFLICT (layer, z, x, y, scope) DO UPDATE
                SET version = EXCLUDED.version, etag = EXCLUDED.etag, data = EXCLUDED.data, created_at = now()
                WHERE c.version <= EXCLUDED.version
            """,
            [layer.name, z, x, y, scope, version, tile.etag, tile.data],
        )


def tile_get(layer: TileLayer, user, z: int, x: int, y: int) -> Tile:
    """The tile for this user: from the cache when valid, else drawn (and cached unless
    the layer is live). The tile may be drawn on a replica: it carries the version of that
    replica's snapshot, so a copy drawn behind the primary is stored but never served."""
    scope = scope_key(user)
    if scope is None:
        return _tile(b"")
    if layer.cached and (hit := cached_tile(layer, scope, z, x, y)):
        return hit
    version, tile = render_tile(layer, user, z, x, y)
    if layer.cached:
        store_tile(layer, scope, z, x, y, version, tile)
    return tile
