-- iot_safezone.center and .zone, kept from the elder's home: center is the anchor of the
-- building of their current primary residence, zone the drawn polygon or else a circle of
-- radius_m around center (for maps; the ingester tests circles by distance to center).
-- They follow the elder when they move: a statement-level trigger on residences
-- recomputes the zones of the people whose homes changed.

CREATE OR REPLACE FUNCTION iot_home_anchor(person bigint) RETURNS geometry LANGUAGE sql STABLE AS $$
    SELECT b.anchor
    FROM assets_residence r JOIN assets_house h ON h.id = r.house_id JOIN assets_building b ON b.id = h.building_id
    WHERE r.person_id = person AND r.is_primary AND r.moved_out IS NULL
    LIMIT 1;
$$;

CREATE OR REPLACE FUNCTION iot_safe_zone_derive() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.center := iot_home_anchor(NEW.person_id);
    NEW.zone := COALESCE(NEW.polygon, ST_Buffer(NEW.center::geography, NEW.radius_m)::geometry);
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS safe_zone_derive ON iot_safezone;
CREATE TRIGGER safe_zone_derive BEFORE INSERT OR UPDATE OF person_id, radius_m, polygon ON iot_safezone
    FOR EACH ROW EXECUTE FUNCTION iot_safe_zone_derive();

CREATE OR REPLACE FUNCTION iot_safe_zones_follow_homes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    people bigint[];
BEGIN
    EXECUTE format('SELECT array_agg(DISTINCT r.person_id) FROM (%s) r', gis_changed_rows(TG_OP)) INTO people;
    UPDATE iot_safezone z SET radius_m = z.radius_m  -- fires safe_zone_derive
    WHERE z.person_id = ANY (people);
    RETURN NULL;
END $$;

SELECT gis_attach_statement_triggers('assets_residence', 'safe_zones_follow', 'iot_safe_zones_follow_homes');
