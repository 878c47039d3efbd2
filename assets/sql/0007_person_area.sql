-- assets_person.area_id: where a person belongs, for scoping — the area of the building of
-- their current primary residence, else of a current secondary one, else of the residence
-- they left last (moved away from the district). Recomputed, never incremented, for the
-- people a statement touched: moves (residences), a house moved to another building, a
-- building whose derived area changed (a cell's boundary edited).

CREATE OR REPLACE FUNCTION assets_person_area_refresh(person_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE assets_person p
    SET area_id = w.area_id
    FROM unnest(person_ids) AS ids(id)
    LEFT JOIN (
        SELECT DISTINCT ON (r.person_id) r.person_id, b.area_id
        FROM assets_residence r
        JOIN assets_house h ON h.id = r.house_id
        JOIN assets_building b ON b.id = h.building_id
        WHERE r.person_id = ANY (person_ids)
        ORDER BY r.person_id, r.moved_out IS NULL DESC, r.is_primary DESC, r.moved_out DESC NULLS FIRST,
                 r.moved_in DESC, r.id DESC
    ) w ON w.person_id = ids.id
    WHERE p.id = ids.id AND p.area_id IS DISTINCT FROM w.area_id;
$$;

CREATE OR REPLACE FUNCTION assets_person_area_residences_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    EXECUTE format('SELECT array_agg(DISTINCT r.person_id) FROM (%s) r', gis_changed_rows(TG_OP)) INTO ids;
    PERFORM assets_person_area_refresh(ids);
    RETURN NULL;
END $$;

SELECT gis_attach_statement_triggers('assets_residence', 'person_area', 'assets_person_area_residences_changed');

-- A house moved to another building, a building whose area changed: the people living
-- (or last having lived) there.
CREATE OR REPLACE FUNCTION assets_person_area_houses_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    SELECT array_agg(DISTINCT r.person_id) INTO ids
    FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN assets_residence r ON r.house_id = n.id
    WHERE n.building_id IS DISTINCT FROM o.building_id;
    PERFORM assets_person_area_refresh(ids);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION assets_person_area_buildings_moved() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    SELECT array_agg(DISTINCT r.person_id) INTO ids
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    JOIN assets_house h ON h.building_id = n.id JOIN assets_residence r ON r.house_id = h.id
    WHERE n.area_id IS DISTINCT FROM o.area_id;
    PERFORM assets_person_area_refresh(ids);
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS person_area_houses ON assets_house;
CREATE TRIGGER person_area_houses AFTER UPDATE ON assets_house
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assets_person_area_houses_moved();
DROP TRIGGER IF EXISTS person_area_buildings ON assets_building;
CREATE TRIGGER person_area_buildings AFTER UPDATE ON assets_building
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION assets_person_area_buildings_moved();

-- Existing rows.
SELECT assets_person_area_refresh(ARRAY(SELECT id FROM assets_person));
