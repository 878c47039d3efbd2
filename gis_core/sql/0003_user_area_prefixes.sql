-- gis_core_user.area_prefixes: the code prefixes of the user's areas, recomputed for the
-- users whose assignments a statement changed. Access scoping reads them from the user
-- row (gis_core/scoping.py) instead of querying the assignments on every request. Area
-- codes and levels never change, so the assignments are the only thing to watch.

CREATE OR REPLACE FUNCTION gis_user_area_prefixes_refresh(user_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE gis_core_user u
    SET area_prefixes = ARRAY(
        SELECT DISTINCT a.prefix FROM gis_core_user_areas ua JOIN gis_core_area a ON a.id = ua.area_id
        WHERE ua.user_id = u.id ORDER BY 1)
    WHERE u.id = ANY (user_ids);
$$;

CREATE OR REPLACE FUNCTION gis_user_areas_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    EXECUTE format('SELECT array_agg(DISTINCT r.user_id) FROM (%s) r', gis_changed_rows(TG_OP)) INTO ids;
    PERFORM gis_user_area_prefixes_refresh(ids);
    RETURN NULL;
END $$;

SELECT gis_attach_statement_triggers('gis_core_user_areas', 'user_area_prefixes', 'gis_user_areas_changed');

-- Existing users.
SELECT gis_user_area_prefixes_refresh(ARRAY(SELECT id FROM gis_core_user));
