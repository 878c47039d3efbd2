-- tiles_invalidate (tiles/sql/0002) in integer arithmetic: the same tiles in about half the
-- time for the 100,000 boxes of an import (issue 15). Each box is converted once to
-- Web-Mercator units of 1/64 of a tile (the MVT buffer) at the layer's deepest zoom, rounded
-- down (u = floor(64 · metres / tile size)); k zooms shallower the units are those shifted
-- right by k (floor(floor(u) / 2^k) = floor(u / 2^k)), so no floating point is done per box
-- and zoom (0002's numeric and floor arithmetic cost ~5 µs each). Tile x touched by
-- [u0, u1]: floor(u0 / 64 − 1/64) … floor(u1 / 64 + 1/64), i.e. (u0 − 1) >> 6 …
-- (u1 + 1) >> 6 — 0002's buffer (tests/test_tile_invalidation_boxes.py checks it against
-- tiles/tilemath.py).
CREATE OR REPLACE FUNCTION tiles_invalidate(layer_name text, boxes box2d[]) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    zooms tiles_tilelayerzoom;
BEGIN
    SELECT * INTO zooms FROM tiles_tilelayerzoom WHERE layer = layer_name;
    IF NOT FOUND OR boxes IS NULL THEN
        RETURN;
    END IF;
    WITH units AS (  -- each box in 1/64-tile units of the deepest zoom
        SELECT DISTINCT floor((ST_XMin(box) * h / 180 + h) / unit)::bigint AS u0,
               floor((ST_XMax(box) * h / 180 + h) / unit)::bigint AS u1,
               floor((h - ln(tan(pi() / 4 + radians(greatest(least(ST_YMax(box), 85.0511), -85.0511)) / 2)) * h / pi())
                     / unit)::bigint AS v0,
               floor((h - ln(tan(pi() / 4 + radians(greatest(least(ST_YMin(box), 85.0511), -85.0511)) / 2)) * h / pi())
                     / unit)::bigint AS v1
        FROM unnest(boxes) AS box,
             (SELECT 20037508.342789244::float8 AS h,
                     2 * 20037508.342789244::float8 / 2 ^ zooms.maxzoom / 64 AS unit) AS constants
        WHERE box IS NOT NULL
    ), ranges AS (  -- each box's tiles at each zoom, as ranges of x and y
        SELECT DISTINCT z, greatest(0, ((u0 >> k) - 1) >> 6)::int AS x0, least(last, ((u1 >> k) + 1) >> 6)::int AS x1,
                           greatest(0, ((v0 >> k) - 1) >> 6)::int AS y0, least(last, ((v1 >> k) + 1) >> 6)::int AS y1
        FROM units, generate_series(zooms.minzoom::int, zooms.maxzoom::int) AS z,
             LATERAL (SELECT zooms.maxzoom - z AS k, (1::bigint << z) - 1 AS last) AS zoom
    ), touched AS (
        SELECT DISTINCT z, x, y FROM ranges, generate_series(x0, x1) AS x, generate_series(y0, y1) AS y
    ), bumped AS (
        INSERT INTO tiles_tileversion AS v (layer, z, x, y, version)
        SELECT layer_name, z, x, y, 1 FROM touched
        ON CONFLICT (layer, z, x, y) DO UPDATE SET version = v.version + 1
        RETURNING v.z, v.x, v.y
    )
    DELETE FROM tiles_tilecache c USING bumped b
    WHERE c.layer = layer_name AND c.z = b.z AND c.x = b.x AND c.y = b.y;
END $$;
