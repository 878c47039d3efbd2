"""Importing what districts already have: GIS files and spreadsheets into the spine.

    readers.py   any supported file → a GeoDataFrame (or a DataFrame of text for people)
    crs.py       the file's coordinate system (or one given) → WGS84
    offsets.py   GCJ-02 / BD-09 web-map offsets → WGS84
    geometry.py  geometry type checks and repair, reported per row
    layers.py    the import targets (buildings, areas, key sites, organizations): columns,
                 aliases (Chinese and English), value parsing, source keys
    upsert.py    COPY into a staging table, derived areas, scope checks, one INSERT … ON
                 CONFLICT (source_key) DO UPDATE … WHERE changed, history written set-wise
    people.py    people, houses and residences from CSV/XLSX
    report.py    counts and the rejected/repaired rows (a CSV file)
    services.py  layer_import, people_import: one transaction each; a dry run rolls back
    views.py     the upload page (/imports/) and POST /api/v1/imports/
"""
