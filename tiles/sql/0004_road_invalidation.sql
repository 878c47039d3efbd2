-- The roads layer (assets.Road) is cached like the other base layers: an edit of a road
-- bumps the versions of the tiles its centre line touches (0002_invalidation.sql).
SELECT gis_attach_statement_triggers('assets_road', 'tiles_roads', 'tiles_rows_changed', '''centreline'', ''roads''');
