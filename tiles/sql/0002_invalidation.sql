-- Tile-cache invalidation (see tiles/models.py). Statement-level triggers with transition
-- tables (gis_core/sql/0002) on every table a cached layer draws from bump the version of exactly the tiles
-- the changed rows touch, at every zoom of the layer, in the same transaction; a COPY of
-- 100,000 rows is one pass. Zoom ranges come from tiles_tilelayerzoom (synced from the
-- Python layer registry).

-- Bump the versions of the tiles of `layer_name` that touch any of `boxes` (lon/lat), at
-- every zoom of the layer, tiles grown by the MVT buffer (64/4096 of their size); drop
-- their cached copies, which can no longer be served anyway. Web-Mercator arithmetic as
-- in tiles/tilemath.py. JIT off: generate_series' row estimates would make PostgreSQL
-- compile this short query for tens of milliseconds.
CREATE OR REPLACE FUNCTION tiles_invalidate(layer_name text, boxes box2d[]) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    zooms tiles_tilelayerzoom;
BEGIN
    SELECT * INTO zooms FROM tiles_tilelayerzoom WHERE layer = layer_name;
    IF NOT FOUND OR boxes IS NULL THEN
        RETURN;
    END IF;
    WITH metres AS (  -- each box in EPSG:3857, at each zoom
        SELECT z, 2 * h / 2 ^ z AS size, 2 ^ z - 1 AS last, h,
               ST_XMin(box) * h / 180 AS xmin, ST_XMax(box) * h / 180 AS xmax,
               ln(tan(pi() / 4 + radians(greatest(least(ST_YMin(box), 85.0511), -85.0511)) / 2)) * h / pi() AS ymin,
               ln(tan(pi() / 4 + radians(greatest(least(ST_YMax(box), 85.0511), -85.0511)) / 2)) * h / pi() AS ymax
        FROM unnest(boxes) AS box, generate_series(zooms.minzoom::int, zooms.maxzoom::int) AS z,
             (SELECT 20037508.342789244 AS h) AS half_world
        WHERE box IS NOT NULL
    ), ranges AS (
        SELECT z, greatest(0, floor((xmin - size / 64 + h) / size))::int AS x0,
                  least(last, floor((xmax + size / 64 + h) / size))::int AS x1,
                  greatest(0, floor((h - ymax - size / 64) / size))::int AS y0,
                  least(last, floor((h - ymin + size / 64) / size))::int AS y1
        FROM metres
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

-- Trigger: TG_ARGV[0] the geometry column, TG_ARGV[1..] the layers drawn from it.
CREATE OR REPLACE FUNCTION tiles_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    boxes box2d[];
BEGIN
    EXECUTE format('SELECT array_agg(Box2D(r.%I)) FROM (%s) r', TG_ARGV[0], gis_changed_rows(TG_OP)) INTO boxes;
    FOR i IN 1 .. TG_NARGS - 1 LOOP
        PERFORM tiles_invalidate(TG_ARGV[i], boxes);
    END LOOP;
    RETURN NULL;
END $$;

-- The cells layer shows counts of buildings, houses and residents and the leaders' names:
-- invalidate it over the boundaries of the given areas.
CREATE OR REPLACE FUNCTION tiles_cells_invalidate(area_ids bigint[]) RETURNS void LANGUAGE sql AS $$
    SELECT tiles_invalidate('cells', ARRAY(
        SELECT Box2D(boundary) FROM gis_core_area WHERE id = ANY (area_ids)));
$$;

-- Trigger: TG_ARGV[0] an SQL expression giving the area id of a changed row `r`.
CREATE OR REPLACE FUNCTION tiles_cell_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    EXECUTE format('SELECT array_agg(DISTINCT %s) FROM (%s) r', TG_ARGV[0], gis_changed_rows(TG_OP)) INTO ids;
    PERFORM tiles_cells_invalidate(ids);
    RETURN NULL;
END $$;

-- Areas: one layer per level.
CREATE OR REPLACE FUNCTION tiles_areas_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    level_boxes record;
BEGIN
    FOR level_boxes IN EXECUTE format('SELECT level, array_agg(Box2D(boundary)) AS boxes FROM (%s) r GROUP BY level',
                                      gis_changed_rows(TG_OP)) LOOP
        PERFORM tiles_invalidate(CASE level_boxes.level WHEN 1 THEN 'cities' WHEN 2 THEN 'districts'
                                     WHEN 3 THEN 'streets' WHEN 4 THEN 'communities' ELSE 'cells' END,
                                 level_boxes.boxes);
    END LOOP;
    RETURN NULL;
END $$;

SELECT gis_attach_statement_triggers('gis_core_area', 'tiles_areas', 'tiles_areas_changed', '');
SELECT gis_attach_statement_triggers('assets_building', 'tiles_buildings', 'tiles_rows_changed', '''footprint'', ''buildings''');
SELECT gis_attach_statement_triggers('assets_building', 'tiles_building_cells', 'tiles_cell_counts_changed', '''r.area_id''');
SELECT gis_attach_statement_triggers('assets_house', 'tiles_house_cells', 'tiles_cell_counts_changed',
                    '''(SELECT area_id FROM assets_building b WHERE b.id = r.building_id)''');
SELECT gis_attach_statement_triggers('assets_keysite', 'tiles_keysites', 'tiles_rows_changed', '''geometry'', ''key-sites''');
SELECT gis_attach_statement_triggers('assets_organization', 'tiles_organizations', 'tiles_rows_changed',
                    '''location'', ''organizations''');
-- Leaders shown on cells: a change of who is assigned to an area, or of a user's name.
SELECT gis_attach_statement_triggers('gis_core_user_areas', 'tiles_leader_cells', 'tiles_cell_counts_changed', '''r.area_id''');
