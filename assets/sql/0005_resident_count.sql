-- assets_building.resident_count: the number of current residences (moved_out IS NULL) in
-- the building's houses. Recomputed (not incremented) for the buildings a statement
-- touched, so it cannot drift; a statement-level trigger (gis_core/sql/0002) makes a COPY
-- of a million residences one UPDATE.

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

CREATE OR REPLACE FUNCTION assets_residences_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    EXECUTE format('SELECT array_agg(DISTINCT h.building_id) FROM (%s) r JOIN assets_house h ON h.id = r.house_id',
                   gis_changed_rows(TG_OP)) INTO ids;
    PERFORM assets_resident_count_refresh(ids);
    RETURN NULL;
END $$;

SELECT gis_attach_statement_triggers('assets_residence', 'residence_counts', 'assets_residences_changed');

-- Existing rows.
SELECT assets_resident_count_refresh(ARRAY(SELECT id FROM assets_building));
