-- Shared database-side functions: the derived area of a geometry, and the plumbing of
-- statement-level triggers.

-- The deepest area (grid cell, else community, street, district) that contains a point on
-- the surface of g. Used by the derive_area triggers of buildings, key sites and
-- organizations, and by derived_areas_reassign when a boundary changes.
-- ST_PointOnSurface: a footprint straddling two cells belongs to exactly one of them.
CREATE OR REPLACE FUNCTION gis_deepest_area(g geometry) RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT a.id
    FROM gis_core_area a
    WHERE ST_Covers(a.boundary, ST_PointOnSurface(g))
    ORDER BY a.level DESC
    LIMIT 1
$$;

-- Statement-level triggers with transition tables (new_rows, old_rows) are how the
-- database keeps derived data (resident counts, users' area prefixes, tile versions) in
-- step with bulk writes: one pass per statement, whether it changed one row or a million.
-- A trigger function reads the changed rows with
--     EXECUTE format('… FROM (%s) r …', gis_changed_rows(TG_OP))
-- (transition tables are visible only in the trigger function itself, hence dynamic SQL).
CREATE OR REPLACE FUNCTION gis_changed_rows(op text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE op WHEN 'INSERT' THEN 'SELECT * FROM new_rows'
                   WHEN 'DELETE' THEN 'SELECT * FROM old_rows'
                   ELSE 'SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows' END
$$;

-- Create (or replace) the insert, update and delete triggers `name`_ins/_upd/_del of a
-- table, each calling `fn`(`args`) once per statement with its transition tables.
CREATE OR REPLACE FUNCTION gis_attach_statement_triggers(tbl text, name text, fn text, args text DEFAULT '')
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', name || '_ins', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION %s(%s)', name || '_ins', tbl, fn, args);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', name || '_upd', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION %s(%s)', name || '_upd', tbl, fn, args);
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', name || '_del', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION %s(%s)', name || '_del', tbl, fn, args);
END $$;
