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
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT user_id) INTO ids FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT user_id) INTO ids FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT user_id) INTO ids FROM (SELECT user_id FROM new_rows UNION SELECT user_id FROM old_rows) c;
    END IF;
    PERFORM gis_user_area_prefixes_refresh(ids);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS user_area_prefixes_ins ON gis_core_user_areas;
CREATE TRIGGER user_area_prefixes_ins AFTER INSERT ON gis_core_user_areas
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION gis_user_areas_changed();
DROP TRIGGER IF EXISTS user_area_prefixes_del ON gis_core_user_areas;
CREATE TRIGGER user_area_prefixes_del AFTER DELETE ON gis_core_user_areas
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION gis_user_areas_changed();
DROP TRIGGER IF EXISTS user_area_prefixes_upd ON gis_core_user_areas;
CREATE TRIGGER user_area_prefixes_upd AFTER UPDATE ON gis_core_user_areas
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION gis_user_areas_changed();

-- Existing users.
SELECT gis_user_area_prefixes_refresh(ARRAY(SELECT id FROM gis_core_user));
