"""Importing what districts already have: GIS files and spreadsheets into the spine.

    readers.py   any supported file → a GeoDataFrame (or a DataFrame of text for people)
    crs.py       the file's coordinate system (or one given) → WGS84
    offsets.py   GCJ-02 / BD-09 web-map offsets → WGS84
    geometry.py  geometry type checks and repair, reported per row
    layers.py    the import targets' registry (apps register theirs: assets/imports.py),
                 the areas layer, columns, aliases (Chinese and English), value parsing
    upsert.py    COPY into a staging table, derived areas, scope checks, one INSERT … ON
                 CONFLICT (source_key) DO UPDATE … WHERE changed, history written set-wise
    report.py    counts and the rejected/repaired rows (a CSV file)
    services.py  layer_import: one transaction; a dry run rolls back
    cli.py       what the import commands share
    views.py     the upload page (/imports/) and POST /api/v1/imports/
"""
