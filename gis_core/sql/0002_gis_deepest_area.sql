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
