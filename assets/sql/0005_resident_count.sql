-- assets_building.resident_count: the number of current residences (moved_out IS NULL) in
-- the building's houses. Recomputed (not incremented) for the buildings a statement
-- touched, so it cannot drift; statement-level triggers with transition tables make a
-- COPY of a million residences one UPDATE.

CREATE OR REPLACE FUNCTION assets_resident_count_refresh(building_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE assets_building b
    SET resident_count = COALESCE(c.n, 0)
    FROM unnest(building_ids) AS ids(id)
    LEFT JOIN (
        SELECT h.building_id, count(*) AS n
        FROM assets_residence r JOIN assets_house h ON h.id = r.house_id
        WHERE r.moved_out IS NULL AND h.building_id = ANY (building_ids)
        GROUP BY h.building_id
    ) c ON c.building_id = ids.id
    WHERE b.id = ids.id AND b.resident_count IS DISTINCT FROM COALESCE(c.n, 0);
$$;

CREATE OR REPLACE FUNCTION assets_residence_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assets_resident_count_refresh(ARRAY(
        SELECT DISTINCT h.building_id FROM new_rows n JOIN assets_house h ON h.id = n.house_id));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION assets_residence_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assets_resident_count_refresh(ARRAY(
        SELECT DISTINCT h.building_id FROM old_rows o JOIN assets_house h ON h.id = o.house_id));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION assets_residence_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM assets_resident_count_refresh(ARRAY(
        SELECT DISTINCT h.building_id
        FROM (SELECT house_id FROM new_rows UNION SELECT house_id FROM old_rows) c
        JOIN assets_house h ON h.id = c.house_id));
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS residence_counts_inserted ON assets_residence;
CREATE TRIGGER residence_counts_inserted AFTER INSERT ON assets_residence
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assets_residence_counts_inserted();
DROP TRIGGER IF EXISTS residence_counts_deleted ON assets_residence;
CREATE TRIGGER residence_counts_deleted AFTER DELETE ON assets_residence
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assets_residence_counts_deleted();
DROP TRIGGER IF EXISTS residence_counts_updated ON assets_residence;
CREATE TRIGGER residence_counts_updated AFTER UPDATE ON assets_residence
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assets_residence_counts_updated();

-- Existing rows.
SELECT assets_resident_count_refresh(ARRAY(SELECT id FROM assets_building));
