-- What the ingester (iot/ingest.py) asks of the database for each fix.

-- How far a point lies outside an elder's safe zone, in metres (negative: inside; NULL:
-- no zone). A circle is measured from its centre, a drawn polygon from its edge; on the
-- sphere, which is within a fraction of a metre of the spheroid at these distances.
CREATE OR REPLACE FUNCTION iot_zone_margin(center geometry, radius_m integer, polygon geometry, p geometry)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN polygon IS NOT NULL THEN
            CASE WHEN ST_Covers(polygon, p) THEN -ST_Distance(ST_Boundary(polygon)::geography, p::geography, false)
                 ELSE ST_Distance(polygon::geography, p::geography, false) END
        WHEN center IS NOT NULL THEN ST_Distance(center::geography, p::geography, false) - radius_m
    END
$$;

-- A fix is clearly 'inside' or 'outside' only when the zone edge is farther from it than
-- its accuracy; otherwise 'near' (it says nothing either way: see iot/zones.py). A fix
-- that states no accuracy is taken at its word.
CREATE OR REPLACE FUNCTION iot_zone_status(margin double precision, accuracy_m real)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN margin IS NULL THEN ''
        WHEN margin > COALESCE(accuracy_m, 0) THEN 'outside'
        WHEN margin < -COALESCE(accuracy_m, 0) THEN 'inside'
        ELSE 'near'
    END
$$;

-- The grid cell of an elder's home (their current primary residence): alerts are scoped
-- by it, so the home cell's leader and the community see their elders' alerts wherever
-- the elder wandered.
CREATE OR REPLACE FUNCTION iot_home_area(person bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT b.area_id
    FROM assets_residence r JOIN assets_house h ON h.id = r.house_id JOIN assets_building b ON b.id = h.building_id
    WHERE r.person_id = person AND r.is_primary AND r.moved_out IS NULL
    LIMIT 1;
$$;
